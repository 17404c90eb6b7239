import { teamTreeReply } from "../blocks/team-admin.blocks";
import type { Subcommand } from "./subcommand";

export const teamTree: Subcommand = {
  name: "tree",
  usage: "/team tree <team>",
  summary: "A team and all its sub-teams, as a tree.",
  async run({ args, actor, deps }) {
    args.expectOnly([], 1);
    const tree = await deps.services.teams.tree(actor, args.word(0, "team"));
    return teamTreeReply(tree);
  },
};
