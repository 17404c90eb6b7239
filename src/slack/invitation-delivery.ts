import type { WebClient } from "@slack/web-api";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { InvitationView } from "../services/invitation.service";
import {
  invitationMessage,
  settledInvitationMessage,
  supersededInvitationMessage,
} from "./blocks/invitation.blocks";
import { slackError } from "./people";
import type { Reply } from "./reply";

/** What sending and updating invitation DMs needs: the Slack listeners, the console and the jobs have it. */
export interface InvitationMessaging {
  client: WebClient;
  services: Pick<Services, "invitations">;
  logger: Logger;
}

// Slack's answers for a message that can no longer be edited: deleted, or its DM gone.
const GONE = new Set(["message_not_found", "channel_not_found", "cant_update_message", "edit_window_closed"]);

/**
 * DMs an invitation to its invitee with Accept and Decline, and records the message so that it can
 * be updated in place when the invitation is settled. When the invitation was sent before (a
 * resend, or a second invite of the same person), the earlier DM is changed to point at the new
 * one, so only one message carries live buttons. An invitation to an email nobody in the
 * workspace has yet has no one to DM: it returns false and waits for team_join.
 */
export async function deliverInvitation(
  messaging: InvitationMessaging,
  invitation: InvitationView,
): Promise<boolean> {
  const { client, services, logger } = messaging;
  const userId = invitation.inviteeUserId;
  if (!userId) return false;
  const message = invitationMessage(invitation);
  const posted = await client.chat.postMessage({
    channel: userId,
    text: message.text,
    blocks: message.blocks,
  });
  if (posted.channel && posted.ts) {
    await services.invitations.recordMessage(
      invitation.workspaceId,
      invitation.id,
      posted.channel,
      posted.ts,
    );
  }
  // `invitation` still names the DM sent before, if any: it now points at the new one. A courtesy,
  // so failing to edit it (deleted, say) must not undo the delivery that just succeeded.
  if (invitation.messageChannel && invitation.messageTs) {
    const earlier = supersededInvitationMessage(invitation);
    await editMessage(client, invitation.messageChannel, invitation.messageTs, earlier).catch(
      (error: unknown) =>
        logger.warn({ err: error, invitationId: invitation.id }, "could not edit an earlier invitation DM"),
    );
  }
  return true;
}

/**
 * Delivers several invitations, a few at a time, and returns the invitees Slack refused a DM to
 * (a deactivated account, say). Their invitations stand and show on their App Home, so a refused DM
 * is reported to whoever sent it rather than failing the whole invite.
 */
export async function deliverInvitations(
  messaging: InvitationMessaging,
  invitations: InvitationView[],
): Promise<string[]> {
  const refused: string[] = [];
  const concurrency = 8;
  for (let i = 0; i < invitations.length; i += concurrency) {
    await Promise.all(
      invitations.slice(i, i + concurrency).map(async (invitation) => {
        try {
          await deliverInvitation(messaging, invitation);
        } catch (error) {
          messaging.logger.warn(
            { err: error, invitationId: invitation.id, invitee: invitation.inviteeUserId },
            "could not DM an invitation",
          );
          if (invitation.inviteeUserId) refused.push(invitation.inviteeUserId);
        }
      }),
    );
  }
  return refused;
}

/**
 * Updates a settled invitation's DM in place (accepted, declined, revoked, expired), through the
 * channel and ts recorded when it was sent. False when there is no message to update (never sent,
 * or deleted since); other Slack failures propagate.
 */
export async function updateInvitationMessage(
  messaging: Pick<InvitationMessaging, "client" | "logger">,
  invitation: InvitationView,
): Promise<boolean> {
  if (!invitation.messageChannel || !invitation.messageTs) return false;
  try {
    await editMessage(
      messaging.client,
      invitation.messageChannel,
      invitation.messageTs,
      settledInvitationMessage(invitation),
    );
    return true;
  } catch (error) {
    if (!GONE.has(slackError(error) ?? "")) throw error;
    messaging.logger.info(
      { invitationId: invitation.id, slackError: slackError(error) },
      "invitation DM is gone",
    );
    return false;
  }
}

async function editMessage(client: WebClient, channel: string, ts: string, message: Reply): Promise<void> {
  await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
}
