import { teamListReply } from "../blocks/team.blocks";
import type { Subcommand } from "./subcommand";

const SORTS = ["name", "created", "members"] as const;

export const teamList: Subcommand = {
  name: "list",
  usage: "/team list [<text>] [mine] [parent=<team>] [sort=name|created|members] [page=<n>]",
  summary: "Find teams: by text, yours, under a parent, sorted, a page at a time.",
  async run({ args, actor, deps }) {
    const mine = args.flag("mine");
    args.expectOnly(["parent", "sort", "page"], 1);
    const query = {
      text: args.optionalWord(0),
      member: mine ? actor.userId : undefined,
      parent: args.option("parent"),
      sort: args.oneOf("sort", SORTS),
      page: args.int("page", { min: 1, max: 100_000 }),
    };
    const page = await deps.services.teams.search(actor, query);
    return teamListReply(page, query);
  },
};
