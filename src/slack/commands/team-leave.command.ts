import { leftReply } from "../blocks/team-admin.blocks";
import type { Subcommand } from "./subcommand";

export const teamLeave: Subcommand = {
  name: "leave",
  usage: "/team leave <team>",
  summary: "Leave a team (an owner hands it over first).",
  async run({ args, actor, deps }) {
    args.expectOnly([], 1);
    const team = await deps.services.members.leave(actor, args.word(0, "team"));
    return leftReply(team);
  },
};
