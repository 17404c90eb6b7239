import type { WebClient } from "@slack/web-api";
import type { SlackDeps } from "../slack/deps";
import { updateInvitationMessage } from "../slack/invitation-delivery";

export interface ExpiryRun {
  /** Invitations this process expired (each is expired once, by one process). */
  expired: number;
  /** Their DMs changed in place to say so. */
  updated: number;
  /** DMs Slack refused to update; the invitations are expired all the same. */
  failed: number;
}

// chat.update is Tier 3 (50+/min): a few at a time keeps a large batch well inside it.
const CONCURRENCY = 4;

/**
 * SPEC section 4: pending invitations past INVITE_TTL_DAYS are marked expired by a scheduled job.
 * The database settles each one once across processes (InvitationService.expireDue); this process
 * then turns the DM of each it settled into "expired" (no buttons left to press), and refreshes the
 * App Home of the invitee and the inviter, where it was listed.
 */
export async function handleInvitationExpiry(deps: SlackDeps, client: WebClient): Promise<ExpiryRun> {
  const expired = await deps.services.invitations.expireDue();
  let updated = 0;
  let failed = 0;
  for (let i = 0; i < expired.length; i += CONCURRENCY) {
    await Promise.all(
      expired.slice(i, i + CONCURRENCY).map(async (invitation) => {
        try {
          if (await updateInvitationMessage({ client, logger: deps.logger }, invitation)) updated += 1;
        } catch (error) {
          // The expiry is committed and won't come round again: one failed edit mustn't stop the rest.
          failed += 1;
          deps.logger.warn(
            { err: error, invitationId: invitation.id, workspaceId: invitation.workspaceId },
            "could not update an expired invitation's DM",
          );
        }
      }),
    );
  }
  for (const invitation of expired) {
    const people = [
      invitation.inviterUserId,
      ...(invitation.inviteeUserId ? [invitation.inviteeUserId] : []),
    ];
    deps.home.refreshSoon(invitation.workspaceId, people);
  }
  if (expired.length > 0)
    deps.logger.info({ expired: expired.length, updated, failed }, "expired invitations");
  return { expired: expired.length, updated, failed };
}
