import type { ModalView, PlainTextOption } from "@slack/types";
import type { RoleEntity } from "../../../entities";
import { clip } from "../blocks/common";

export const INVITE_CALLBACK = "team_invite_modal";

// Slack's caps: 100 options in a static select, 75 characters in an option's text and description.
const MAX_OPTIONS = 100;

function roleOption(role: RoleEntity): PlainTextOption {
  return {
    text: { type: "plain_text", text: clip(role.name, 75) },
    value: role.name,
    ...(role.description && { description: { type: "plain_text", text: clip(role.description, 75) } }),
  };
}

/**
 * The form `/team invite` opens when it names nobody: people from the workspace, email addresses
 * of people not in it yet, and the role they all get. Every role but owner can be picked (ownership
 * moves only with /team transfer); the service still refuses one the inviter may not give.
 */
export function inviteModal(input: { team?: string; role?: string; roles: RoleEntity[] }): ModalView {
  const options = input.roles
    .filter((r) => !(r.builtIn && r.name === "owner"))
    .slice(0, MAX_OPTIONS)
    .map(roleOption);
  const wanted = (input.role ?? "member").toLowerCase();
  const initial =
    options.find((o) => o.value?.toLowerCase() === wanted) ?? options.find((o) => o.value === "member");
  return {
    type: "modal",
    callback_id: INVITE_CALLBACK,
    title: { type: "plain_text", text: "Invite people" },
    submit: { type: "plain_text", text: "Invite" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: "team",
        label: { type: "plain_text", text: "Team" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 80,
          ...(input.team && { initial_value: clip(input.team, 80) }),
          placeholder: { type: "plain_text", text: "AI Platform" },
        },
      },
      {
        type: "input",
        block_id: "users",
        optional: true,
        label: { type: "plain_text", text: "People in this workspace" },
        element: {
          type: "multi_users_select",
          action_id: "value",
          placeholder: { type: "plain_text", text: "Pick people" },
        },
      },
      {
        type: "input",
        block_id: "emails",
        optional: true,
        label: { type: "plain_text", text: "Email addresses" },
        hint: {
          type: "plain_text",
          text: "Separated by commas or new lines. Someone not in the workspace yet gets the invitation when they join.",
        },
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 3000,
          placeholder: { type: "plain_text", text: "ana@example.com, bo@example.com" },
        },
      },
      {
        type: "input",
        block_id: "role",
        label: { type: "plain_text", text: "Role" },
        element: {
          type: "static_select",
          action_id: "value",
          options,
          ...(initial && { initial_option: initial }),
        },
      },
    ],
  };
}
