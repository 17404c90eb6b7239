import { activityReply } from "../blocks/activity.blocks";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

const DAYS = /^(\d{1,6})d?$/i;

/** `/team activity <team> [since=7d] [limit=<n>]`: the team's audit trail, newest first. */
export const teamActivity: Subcommand = {
  name: "activity",
  usage: "/team activity <team> [since=7d] [limit=<n>]",
  summary: "Who changed what in a team, newest first.",
  details: [
    "`since=` is a number of days (`since=30d` or `since=30`, default 7); `limit=` events a page, 1 to 100.",
  ],
  async run({ args, actor, deps }) {
    args.expectOnly(["since", "limit", "page"], 1);
    const name = args.word(0, "team");
    const since = args.option("since");
    const days = since === undefined ? undefined : DAYS.exec(since.trim());
    if (since !== undefined && !days) {
      throw new UsageError(
        `Give since= a number of days like since=30d, not “${clip(since)}”: ${args.usage}.`,
      );
    }
    const sinceDays = days ? Number(days[1]) : 7;
    const limit = args.int("limit", { min: 1, max: 100 });
    const page = args.int("page", { min: 1, max: 100_000 });
    const activity = await deps.services.audit.activity(actor, name, { sinceDays, page, pageSize: limit });
    return activityReply(activity.team.name, activity, { team: activity.team.name, sinceDays, limit });
  },
};
