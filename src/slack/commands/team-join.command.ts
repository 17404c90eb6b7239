import { joinedReply, needsApprovalReply } from "../blocks/team-admin.blocks";
import type { Subcommand } from "./subcommand";

export const teamJoin: Subcommand = {
  name: "join",
  usage: "/team join <team>",
  summary: "Join a team, as its join policy allows.",
  async run({ args, actor, deps }) {
    args.expectOnly([], 1);
    const result = await deps.services.members.join(actor, args.word(0, "team"));
    if (result.outcome === "joined") return joinedReply(result.team);
    // Nothing was recorded: name the owner, whom the user can ask to add them instead.
    const details = await deps.services.teams.get(actor, result.team.name);
    return needsApprovalReply(result.team, details.ownerId);
  },
};
