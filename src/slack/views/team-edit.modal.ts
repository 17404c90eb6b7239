import type { ModalView } from "@slack/types";
import type { TeamDetails } from "../../services/team.service";
import { clip } from "../blocks/common";
import { commandArg } from "../blocks/team-admin.blocks";
import { teamFormBlocks } from "./team-form";

export const EDIT_TEAM_CALLBACK = "team_edit_modal";

/** What the form carries from opening to submission: which team, and the parent it had. */
export interface EditTeamMetadata {
  team: string;
  parent: string | null;
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
      ...teamFormBlocks(details),
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
