import { InvalidInput } from "../../domain/errors";
import type { Reply } from "../reply";
import { actions, button, LIMITS, section } from "./common";

/**
 * The preview a command shows before changing several members (or deleting a team): what will
 * happen, and Confirm/Cancel. Confirm carries the command text itself and replays it, confirmed,
 * as whoever presses it; the policy is asked again at that moment.
 */
export function confirmPreview(commandText: string, summary: string, confirmLabel = "Confirm"): Reply {
  if (commandText.length > LIMITS.buttonValue) {
    throw new InvalidInput("That command is too long to confirm in one go; split it into smaller ones.");
  }
  return {
    text: summary,
    blocks: [
      section(summary),
      actions("confirm", [
        button(confirmLabel, "team_confirm_command:yes", commandText, "danger"),
        button("Cancel", "team_cancel_command:no", "cancel"),
      ]),
    ],
  };
}
