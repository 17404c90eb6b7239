import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import type { Decision } from "../../services/approval.service";
import { alreadyDecidedReply, decidedCard, decisionDm } from "../blocks/request.blocks";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { slackError } from "../people";
import { type Reply, toSlackMessage } from "../reply";
import { updateRequestCards } from "../request-cards";
import { showInModal } from "../views/reply.modal";

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** How long the requester's DM waits for the cards to show the decision. */
const CARD_WAIT_MS = 500;

/**
 * Approve or Deny on a join or limit request, from a card (channel or DM) or the App Home. The
 * service decides once in the database, so a double click, a retry, two admins or two processes
 * pressing at once yield one decision; only the press that decided updates the cards and tells the
 * requester. Anyone refused, or pressing after the decision, is told privately and nothing changes.
 */
export function onRequestDecision(deps: SlackDeps, approve: boolean) {
  return async (args: Args): Promise<void> => {
    const { ack, action, body, client } = args;
    await ack();
    const actor = { workspaceId: body.team?.id ?? body.user.team_id ?? "", userId: body.user.id };
    let decision: Decision;
    try {
      const requestId = Number(action.value);
      decision = await deps.services.approvals.decide(
        actor,
        Number.isSafeInteger(requestId) ? requestId : 0,
        approve,
      );
    } catch (error) {
      const ids = { kind: "action", name: action.action_id, ...actor, triggerId: body.trigger_id };
      await tellPrivately(args, errorReply(error, deps.logger, ids));
      return;
    }
    const { request } = decision;
    if (decision.outcome === "already_decided") {
      await tellPrivately(args, alreadyDecidedReply(request, actor.userId));
      return;
    }
    deps.sync.soon(actor.workspaceId);
    // The requester is told once the cards show the decision, but a card update Slack is slow to
    // answer holds that back for half a second at most: were this process to die while it waits,
    // nothing would tell them later (a later press is only told the request was already decided).
    const cardsUpdated = showDecision(args, deps, decision);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cardsUpdated, new Promise((resolve) => (timer = setTimeout(resolve, CARD_WAIT_MS)))]);
    clearTimeout(timer);
    const dm = decisionDm(request);
    await client.chat
      .postMessage({ channel: request.requesterUserId, text: dm.text, blocks: dm.blocks })
      .catch((error: unknown) =>
        // The decision stands and every card shows it; the requester also sees it on their Home.
        deps.logger.warn(
          { ...actor, requestId: request.id, error: slackError(error) ?? String(error) },
          "could not DM the requester",
        ),
      );
    await cardsUpdated;
    if (body.container.type === "view") {
      // Pressed on the decider's Home: show it without the request at once.
      deps.home.refreshSoon(actor.workspaceId, [request.requesterUserId]);
      await deps.home.publish(actor.workspaceId, actor.userId);
    } else deps.home.refreshSoon(actor.workspaceId, [request.requesterUserId, actor.userId]);
  };
}

/** Every card of the request shows the decision, and so does the message pressed if it isn't one. */
async function showDecision({ body, client, respond }: Args, deps: SlackDeps, decision: Decision) {
  await updateRequestCards(client, deps, decision);
  const pressed = body.container.type === "message" ? body.container : undefined;
  const onCard = decision.cards.some(
    (c) => c.channelId === pressed?.channel_id && c.messageTs === pressed?.message_ts,
  );
  // A card that was posted but never recorded (its recording failed) still shows the decision.
  if (pressed && !onCard && respond) {
    await respond({ ...toSlackMessage(decidedCard(decision.request)), replace_original: true });
  }
}

/**
 * Only the presser sees it: on a message, an ephemeral reply through the response_url that leaves
 * the card alone; on the App Home (no response_url), a modal.
 */
async function tellPrivately({ body, client, respond }: Args, reply: Reply): Promise<void> {
  if (body.container.type === "view" || !body.response_url) {
    await showInModal(client, body, reply, false);
    return;
  }
  await respond(toSlackMessage({ ...reply, visibility: "ephemeral" }, { replaceOriginal: false }));
}
