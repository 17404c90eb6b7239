import type { ModalView, PlainTextOption } from "@slack/types";
import type { TeamDetails } from "../../services/team.service";
import { clip } from "../blocks/common";
import { commandArg } from "../blocks/team-admin.blocks";

export const EDIT_TEAM_CALLBACK = "team_edit_modal";

/** What the form carries from opening to submission: which team, and the parent it had. */
export interface EditTeamMetadata {
  team: string;
  parent: string | null;
}

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: "plain_text", text },
  value,
});

const POLICIES = [
  option("Anyone (open)", "open"),
  option("Anyone, once an admin approves", "approval"),
  option("Only people invited", "invite_only"),
];
const VISIBILITY = [
  option("The whole organisation", "organization"),
  option("Members and org admins only", "private"),
];
const SHARING = [option("All members", "all_members"), option("Admins and the owner only", "admins_only")];

function select(blockId: string, label: string, options: PlainTextOption[], current: string) {
  return {
    type: "input" as const,
    block_id: blockId,
    label: { type: "plain_text" as const, text: label },
    element: {
      type: "static_select" as const,
      action_id: "value",
      options,
      initial_option: options.find((o) => o.value === current) ?? options[0],
    },
  };
}

/** The form `/team edit` opens, filled in with the team's current settings. */
export function editTeamModal(details: TeamDetails): ModalView {
  const { team, parent } = details;
  const metadata: EditTeamMetadata = { team: team.name, parent: parent?.name ?? null };
  return {
    type: "modal",
    callback_id: EDIT_TEAM_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Edit team" },
    submit: { type: "plain_text", text: "Save" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: "name",
        label: { type: "plain_text", text: "Name" },
        element: { type: "plain_text_input", action_id: "value", max_length: 80, initial_value: team.name },
      },
      {
        type: "input",
        block_id: "description",
        optional: true,
        label: { type: "plain_text", text: "Description" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 500,
          ...(team.description && { initial_value: team.description }),
        },
      },
      {
        type: "input",
        block_id: "parent",
        optional: true,
        label: { type: "plain_text", text: "Parent team" },
        hint: {
          type: "plain_text",
          text: "The name of the team this one belongs under; empty for top level.",
        },
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 80,
          ...(parent && { initial_value: parent.name }),
        },
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
          ...(team.channelId && { initial_conversation: team.channelId }),
        },
      },
      select("policy", "Who can join", POLICIES, team.joinPolicy),
      select("visibility", "Visible to", VISIBILITY, team.visibility),
      select("sharing", "Shared resources are for", SHARING, team.resourceSharing),
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: clip(`Metadata: \`/team set ${commandArg(team.name)} meta.<key>=<value>\``, 300),
          },
        ],
      },
    ],
  };
}
