import { stillWaitingReply, requestSentReply } from "../blocks/request.blocks";
import { joinedReply } from "../blocks/team-admin.blocks";
import { postRequestCards } from "../request-cards";
import type { Subcommand } from "./subcommand";

export const teamJoin: Subcommand = {
  name: "join",
  usage: "/team join <team>",
  summary: "Join a team, as its join policy allows.",
  details: [
    "An open team lets you in at once; an approval team sends your request to its admins, and you get a DM when one decides; " +
      "an invite-only team tells you whom to ask.",
  ],
  async run({ args, actor, deps, client }) {
    args.expectOnly([], 1);
    const result = await deps.services.members.join(actor, args.word(0, "team"));
    if (result.outcome === "joined") return joinedReply(result.team);
    const { request, created } = await deps.services.approvals.requestJoin(actor, result.team.name);
    // Asking again never posts a second card: the first one is still waiting for its decision.
    if (!created) return stillWaitingReply(request);
    const delivery = await postRequestCards(client, deps, request);
    // Deciders see the request on their App Home too; the command refreshes the requester's.
    deps.home.refreshSoon(actor.workspaceId, delivery.dmTo);
    return requestSentReply(request, delivery);
  },
};
