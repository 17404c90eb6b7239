import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { DIGEST_REQUEST_MORE, REQUEST_APPROVE, REQUEST_DENY } from "../action-ids";
import { INVITATION_ACCEPT, INVITATION_DECLINE, INVITATION_RESEND, INVITATION_REVOKE } from "../action-ids";
import { onDigestRequestMore } from "./digest.action";
import { onHomeCreateTeam } from "./home-create-team.action";
import { onInvitationAnswer, onInvitationResend, onInvitationRevoke } from "./invitation.action";
import { onRequestDecision } from "./request.action";
import { onRunCommand } from "./run-command.action";

export const RUN_COMMAND = "team_run_command";
export const PAGE_COMMAND = "team_page";
export const CONFIRM_COMMAND = "team_confirm_command";
export const CANCEL_COMMAND = "team_cancel_command";

/**
 * Slack wants action_ids unique within a block, so command buttons add a suffix after a colon
 * (`team_run_command:members`); this matches the family.
 */
export const family = (actionId: string) => new RegExp(`^${actionId}(:.*)?$`);

export function register(app: App, deps: SlackDeps): void {
  app.action(family(RUN_COMMAND), onRunCommand(deps, { confirmed: false, replace: false }));
  app.action(family(PAGE_COMMAND), onRunCommand(deps, { confirmed: false, replace: true }));
  app.action(family(CONFIRM_COMMAND), onRunCommand(deps, { confirmed: true, replace: true }));
  app.action("home_create_team", onHomeCreateTeam);
  app.action(family(INVITATION_ACCEPT), onInvitationAnswer(deps, "accept"));
  app.action(family(INVITATION_DECLINE), onInvitationAnswer(deps, "decline"));
  app.action(family(INVITATION_RESEND), onInvitationResend(deps));
  app.action(family(INVITATION_REVOKE), onInvitationRevoke(deps));
  app.action(family(REQUEST_APPROVE), onRequestDecision(deps, true));
  app.action(family(REQUEST_DENY), onRequestDecision(deps, false));
  app.action(family(DIGEST_REQUEST_MORE), onDigestRequestMore(deps));
  app.action(family(CANCEL_COMMAND), async ({ ack, respond }) => {
    await ack();
    await respond({ text: "Cancelled; nothing was changed.", replace_original: true });
  });
}
