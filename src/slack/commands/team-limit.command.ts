import type { LimitPeriod } from "../../../entities";
import { InvalidInput } from "../../domain/errors";
import { limitExplanationReply, limitSetReply } from "../blocks/limit.blocks";
import type { PeopleDirectory } from "../people";
import type { Args } from "./grammar";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

const MAX_TOKENS = 1_000_000_000_000_000;
const PERIODS: readonly LimitPeriod[] = ["none", "daily", "weekly", "monthly"];

/**
 * `/team limit <team> [<user>] [tx=…] [total=…] [period=…] [budget]`. With a number or a period it
 * sets a limit (limits:manage): the user's own, the team's `budget`, or else the team's default per
 * member; `tx=none` / `total=none` removes that value. With neither it explains every limit that
 * applies to the user (or to you), which binds and what remains.
 */
export const teamLimit: Subcommand = {
  name: "limit",
  usage:
    "/team limit <team> [<user>] [tx=<tokens>] [total=<tokens>] [period=none|daily|weekly|monthly] [budget]",
  summary: "Set a member's limit, the team's default or its budget; with no numbers, explain what applies.",
  details: [
    "`tx=` is the most tokens in one request, `total=` the most in a period (`period=daily|weekly|monthly`, or `none` for a lifetime total). Amounts like `10k` or `1.5m` work; `tx=none` or `total=none` removes that value.",
    "Name a user for their own limit (it replaces the team's default for them), add `budget` for the team's combined spend, or neither for the default per member.",
    "Examples: `/team limit Platform @alice total=1m period=monthly` · `/team limit Platform total=50m period=monthly budget` · `/team limit Platform @alice` (explain)",
  ],
  async run({ args, actor, deps }) {
    const team = args.word(0, "team");
    const budget = args.flag("budget");
    args.expectOnly(["tx", "total", "period"], 2);
    const userId = await namedPerson(args, deps.people);
    const transactionMax = amount(args, "tx");
    const totalMax = amount(args, "total");
    const period = args.oneOf("period", PERIODS);
    if (transactionMax === undefined && totalMax === undefined && period === undefined) {
      const explanation = await deps.services.limits.explain(actor, team, userId);
      return limitExplanationReply(explanation, actor.userId);
    }
    const result = await deps.services.limits.set(actor, team, {
      userId,
      budget,
      transactionMax,
      totalMax,
      period,
    });
    return limitSetReply(
      result,
      { userId, budget },
      { transaction: transactionMax !== undefined, total: totalMax !== undefined || period !== undefined },
    );
  },
};

/** A token amount option: a number (10k, 1.5m), `none` (null: remove it), or absent (undefined). */
function amount(args: Args, key: "tx" | "total"): number | null | undefined {
  if (args.option(key)?.trim().toLowerCase() === "none") return null;
  return args.int(key, { min: 1, max: MAX_TOKENS });
}

/**
 * The one person named after the team, as a mention or an email address (looked up in Slack), or
 * undefined when there is none. Shared by `/team limit` and `/team usage`.
 */
export async function namedPerson(args: Args, people: PeopleDirectory): Promise<string | undefined> {
  const stray = args
    .positionals()
    .slice(1)
    .find((t) => t.kind !== "user" && t.kind !== "email");
  if (stray) {
    throw new UsageError(`Name the person after the team as an @mention or email address: ${args.usage}.`);
  }
  // One at most: the commands allow two positionals, the team and this person.
  const { users, emails } = args.usersAndEmails(1);
  if (emails.length === 0) return users[0];
  const found = await people.byEmail(emails[0]);
  if (!found) {
    throw new InvalidInput(
      `No one in this workspace has the email address “${clip(emails[0])}”; mention them with @ instead.`,
      "user",
    );
  }
  return found;
}
