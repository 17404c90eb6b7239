import { requestSentReply, stillWaitingReply } from "../blocks/request.blocks";
import { postRequestCards } from "../request-cards";
import type { Subcommand } from "./subcommand";
import { UsageError } from "./usage-error";

const MAX_TOKENS = 1_000_000_000_000_000;

/** `/team request <team> total=<tokens> [reason="…"]`: asks the team's admins for a higher total limit. */
export const teamRequest: Subcommand = {
  name: "request",
  usage: '/team request <team> total=<tokens> [reason="…"]',
  summary: "Ask the team's admins for a higher total token limit.",
  details: [
    "The request goes to the team's channel (or to its admins by DM) with Approve and Deny; you get a DM when one decides, " +
      "and an approval raises your total limit in the team.",
    'Example: `/team request Platform total=500k reason="Eval runs for the Q3 launch"`',
  ],
  async run({ args, actor, deps, client }) {
    args.expectOnly(["total", "reason"], 1);
    const team = args.word(0, "team");
    const total = args.int("total", { min: 1, max: MAX_TOKENS });
    if (total === undefined)
      throw new UsageError(`Say how many tokens you need, like total=500000: ${args.usage}.`);
    const { request, created } = await deps.services.approvals.requestLimit(
      actor,
      team,
      total,
      args.option("reason"),
    );
    if (!created) return stillWaitingReply(request);
    const delivery = await postRequestCards(client, deps, request);
    deps.home.refreshSoon(actor.workspaceId, delivery.dmTo);
    return requestSentReply(request, delivery);
  },
};
