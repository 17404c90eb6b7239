import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { deliverInvitations } from "../invitation-delivery";

/**
 * Someone joined the workspace: invitations sent to their email before they had an account become
 * theirs and reach them as DMs with Accept and Decline. A redelivered event finds nothing left to
 * claim, so nobody gets the DM twice.
 */
export function onTeamJoin(deps: SlackDeps) {
  return async ({
    event,
    body,
    client,
  }: SlackEventMiddlewareArgs<"team_join"> & AllMiddlewareArgs): Promise<void> => {
    const { user } = event;
    const email = user.profile?.email;
    if (!email || user.is_bot || user.deleted) return;
    const claimed = await deps.services.invitations.claimByEmail(body.team_id, user.id, email);
    if (claimed.length === 0) return;
    // A refused DM is logged by deliverInvitations; the invitations also wait on the App Home.
    await deliverInvitations({ client, services: deps.services, logger: deps.logger }, claimed);
    deps.home.refreshSoon(body.team_id, [user.id]);
  };
}
