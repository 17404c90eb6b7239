import type { ModalView } from "@slack/types";
import { teamFormBlocks } from "./team-form";

export const CREATE_TEAM_CALLBACK = "team_create_modal";

/** The form `/team create` (with no arguments) and the App Home's "Create a team" open. */
export function createTeamModal(): ModalView {
  return {
    type: "modal",
    callback_id: CREATE_TEAM_CALLBACK,
    title: { type: "plain_text", text: "Create a team" },
    submit: { type: "plain_text", text: "Create" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: teamFormBlocks(),
  };
}
