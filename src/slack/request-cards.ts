import type { WebClient } from "@slack/web-api";
import type { Decision, RequestView } from "../services/approval.service";
import { type CardDelivery, decidedCard, requestCard } from "./blocks/request.blocks";
import type { SlackDeps } from "./deps";
import { slackError } from "./people";

/**
 * The Slack messages that carry a join or limit request's Approve/Deny buttons ("cards"). Each one
 * posted is recorded with the request, so that after the decision every card is updated in place,
 * wherever it went: the team's channel, deciders' DMs, or the DMs of an escalation.
 */

/**
 * Posts a new request's card to the team's channel or, when the team has none (or the post fails:
 * the bot was removed, the channel archived or deleted), by DM to everyone who may decide it.
 */
export async function postRequestCards(
  client: WebClient,
  deps: SlackDeps,
  request: RequestView,
): Promise<CardDelivery> {
  const channelId = request.team.channelId;
  if (channelId) {
    const card = requestCard(request);
    const posted = await client.chat
      .postMessage({ channel: channelId, text: card.text, blocks: card.blocks })
      .catch((error: unknown) => {
        // One line per request, however many DMs follow: the channel setting needs an admin's eye.
        deps.logger.warn(
          { ...ids(request), channelId, error: slackError(error) ?? String(error) },
          "could not post a request card to the team's channel; sending it to the deciders by DM",
        );
        return undefined;
      });
    if (posted) {
      await record(deps, request, posted);
      return { channelId, dmTo: [] };
    }
  }
  const deciders = await deps.services.approvals.deciders(request.workspaceId, request.teamId, request.kind);
  // Nobody decides their own request, so the requester (an admin asking for a limit) gets no card.
  const dmTo = await dmRequestCards(
    client,
    deps,
    request,
    deciders.filter((id) => id !== request.requesterUserId),
  );
  return { channelId: null, dmTo };
}

/**
 * DMs the request's card to each of `userIds` and records each message as one of its cards, so
 * the decision updates it too. Used for a team without a channel and by the escalation job (with a
 * `note` saying why it came to them). Returns who got it; a failed DM is logged and skipped, as
 * the request still waits on each decider's App Home.
 */
export async function dmRequestCards(
  client: WebClient,
  deps: SlackDeps,
  request: RequestView,
  userIds: string[],
  note?: string,
): Promise<string[]> {
  const card = requestCard(request, note);
  const sent = await Promise.all(
    [...new Set(userIds)].map(async (userId) => {
      const posted = await client.chat
        .postMessage({ channel: userId, text: card.text, blocks: card.blocks })
        .catch((error: unknown) => {
          deps.logger.warn(
            { ...ids(request), userId, error: slackError(error) ?? String(error) },
            "could not DM a request card",
          );
          return undefined;
        });
      if (!posted) return undefined;
      await record(deps, request, posted);
      return userId;
    }),
  );
  return sent.filter((id): id is string => id !== undefined);
}

/**
 * Shows the decision on every card of the request (chat.update on each stored message), whoever
 * pressed and wherever. A card Slack no longer has (deleted, or its channel gone) is logged and
 * skipped: the decision itself is already made and the requester is told separately.
 */
export async function updateRequestCards(
  client: WebClient,
  deps: SlackDeps,
  decision: Decision,
): Promise<void> {
  const card = decidedCard(decision.request);
  await Promise.all(
    decision.cards.map(async ({ channelId, messageTs }) => {
      try {
        await client.chat.update({ channel: channelId, ts: messageTs, text: card.text, blocks: card.blocks });
      } catch (error) {
        deps.logger.warn(
          { requestId: decision.request.id, channelId, messageTs, error: slackError(error) ?? String(error) },
          "could not update a request card",
        );
      }
    }),
  );
}

function ids(request: RequestView) {
  return { workspaceId: request.workspaceId, teamId: request.teamId, requestId: request.id };
}

async function record(deps: SlackDeps, request: RequestView, posted: { channel?: string; ts?: string }) {
  if (posted.channel && posted.ts)
    await deps.services.approvals.recordCard(request.workspaceId, request.id, posted.channel, posted.ts);
}
