import type { ModalView } from "@slack/types";

export const CREATE_TEAM_CALLBACK = "team_create_modal";

/** The form `/team create` (with no arguments) and the App Home's "Create a team" open. */
export function createTeamModal(): ModalView {
  return {
    type: "modal",
    callback_id: CREATE_TEAM_CALLBACK,
    title: { type: "plain_text", text: "Create a team" },
    submit: { type: "plain_text", text: "Create" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: "name",
        label: { type: "plain_text", text: "Name" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 80,
          placeholder: { type: "plain_text", text: "AI Platform" },
        },
      },
      {
        type: "input",
        block_id: "description",
        optional: true,
        label: { type: "plain_text", text: "Description" },
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 500 },
      },
      {
        type: "input",
        block_id: "parent",
        optional: true,
        label: { type: "plain_text", text: "Parent team" },
        hint: { type: "plain_text", text: "The name of an existing team this one belongs under." },
        element: { type: "plain_text_input", action_id: "value", max_length: 80 },
      },
      {
        type: "input",
        block_id: "channel",
        optional: true,
        label: { type: "plain_text", text: "Team channel" },
        element: {
          type: "conversations_select",
          action_id: "value",
          filter: { include: ["public", "private"], exclude_bot_users: true },
        },
      },
      {
        type: "input",
        block_id: "policy",
        label: { type: "plain_text", text: "Who can join" },
        element: {
          type: "static_select",
          action_id: "value",
          initial_option: { text: { type: "plain_text", text: "Anyone (open)" }, value: "open" },
          options: [
            { text: { type: "plain_text", text: "Anyone (open)" }, value: "open" },
            { text: { type: "plain_text", text: "Anyone, once an admin approves" }, value: "approval" },
            { text: { type: "plain_text", text: "Only people invited" }, value: "invite_only" },
          ],
        },
      },
      {
        type: "input",
        block_id: "visibility",
        label: { type: "plain_text", text: "Visible to" },
        element: {
          type: "static_select",
          action_id: "value",
          initial_option: {
            text: { type: "plain_text", text: "The whole organisation" },
            value: "organization",
          },
          options: [
            { text: { type: "plain_text", text: "The whole organisation" }, value: "organization" },
            { text: { type: "plain_text", text: "Members and org admins only" }, value: "private" },
          ],
        },
      },
    ],
  };
}
