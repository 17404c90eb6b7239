import type { Person } from "../people";
import { usagePage, usageReply } from "../blocks/usage.blocks";
import type { Subcommand } from "./subcommand";
import { namedPerson } from "./team-limit.command";

const GROUPINGS = ["user", "resource", "day"] as const;

/**
 * `/team usage <team> [<user>] [from=…] [to=…] [by=…]`: token usage in the team and its sub-teams.
 * Members see their own; everyone's, or another person's, takes usage:view_all (the rule lives in
 * UsageService.reportFor).
 */
export const teamUsage: Subcommand = {
  name: "usage",
  usage: "/team usage <team> [<user>] [from=YYYY-MM-DD] [to=YYYY-MM-DD] [by=user|resource|day]",
  summary: "Token usage in a team (yours, or everyone's with usage:view_all), by user, resource or day.",
  details: [
    "Covers the last 30 days unless you give `from=` and `to=` (days in the organisation's time zone, at most 366 of them). Includes the team's sub-teams.",
    "Examples: `/team usage Platform` · `/team usage Platform by=resource from=2026-01-01 to=2026-01-31` · `/team usage Platform @alice by=day`",
  ],
  async run({ args, actor, deps }) {
    args.expectOnly(["from", "to", "by", "page"], 2);
    const team = args.word(0, "team");
    const userId = await namedPerson(args, deps.people);
    const page = args.int("page", { min: 1, max: 100_000 }) ?? 1;
    const view = await deps.services.usageReports.reportFor(actor, team, {
      userId,
      from: args.option("from"),
      to: args.option("to"),
      by: args.oneOf("by", GROUPINGS),
    });
    const shown = usagePage(view, page);
    const names =
      view.by === "user"
        ? await deps.people.many(shown.rows.map((r) => r.key))
        : new Map<string, Person | null>();
    return usageReply(view, shown, names, actor.userId);
  },
};
