import { teamInfoReply } from "../blocks/team.blocks";
import type { Subcommand } from "./subcommand";

export const teamInfo: Subcommand = {
  name: "info",
  usage: "/team info <team>",
  summary: "A team's settings, owner, members and sub-teams.",
  async run({ args, actor, deps }) {
    args.expectOnly([], 1);
    const name = args.word(0, "team");
    const details = await deps.services.teams.get(actor, name);
    const access = await deps.services.access.list(actor, name);
    return teamInfoReply(details, access);
  },
};
