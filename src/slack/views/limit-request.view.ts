import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { InvalidInput } from "../../domain/errors";
import { requestSentReply, stillWaitingReply } from "../blocks/request.blocks";
import { Args, parseCommand, UsageError } from "../commands/grammar";
import type { SlackDeps } from "../deps";
import { postRequestCards } from "../request-cards";
import { modalErrors } from "./modal-errors";

const MAX_TOKENS = 1_000_000_000_000_000;

const text = z.object({ value: z.object({ value: z.string().nullish() }) });
const requestForm = z.object({ tokens: text, reason: text.optional() });
const metadata = z.object({ team: z.string().min(1) });

const BLOCK_FOR_FIELD = { total: "tokens", reason: "reason" };

/** The number of tokens typed in the form, read as `/team` reads amounts (500000, 500k, 1.5m, 1,500,000). */
export function tokensFromForm(raw: string | null | undefined): number {
  const typed = (raw ?? "").trim();
  const problem = `Write the total you need as a number of tokens, like 500000, 500k or 1.5m.`;
  if (!/^[0-9][0-9.,_]*[kmb]?$/i.test(typed)) throw new InvalidInput(problem, "total");
  try {
    const total = new Args(parseCommand(`total=${typed}`).tokens, "").int("total", {
      min: 1,
      max: MAX_TOKENS,
    });
    if (total === undefined) throw new InvalidInput(problem, "total");
    return total;
  } catch (error) {
    if (error instanceof UsageError) throw new InvalidInput(problem, "total");
    throw error;
  }
}

/**
 * Submitting "Request more tokens": the same limit request as `/team request`, its card posted to
 * the team's channel (or its admins by DM). Errors stay in the form under their field; once it is
 * accepted the form closes and the requester gets a DM saying where the request went.
 */
export function onLimitRequestSubmitted(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
    client,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: body.team?.id ?? view.team_id, userId: body.user.id };
    let asked;
    try {
      const form = requestForm.parse(view.state.values);
      const { team } = metadata.parse(JSON.parse(view.private_metadata || "{}"));
      const total = tokensFromForm(form.tokens.value.value);
      asked = await deps.services.approvals.requestLimit(actor, team, total, form.reason?.value.value ?? "");
    } catch (error) {
      await ack(
        modalErrors(error, BLOCK_FOR_FIELD, "tokens", deps.logger, {
          ...actor,
          kind: "view",
          name: view.callback_id,
        }),
      );
      return;
    }
    // The form closes now; the card and the DM go out after Slack's 3 seconds are safe.
    await ack();
    const { request, created } = asked;
    let reply = stillWaitingReply(request);
    if (created) {
      const delivery = await postRequestCards(client, deps, request);
      deps.home.refreshSoon(actor.workspaceId, [actor.userId, ...delivery.dmTo]);
      reply = requestSentReply(request, delivery);
    }
    await client.chat.postMessage({ channel: actor.userId, text: reply.text, blocks: reply.blocks });
  };
}
