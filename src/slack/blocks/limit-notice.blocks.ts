import type { LimitEntity, TeamEntity } from "../../../entities";
import type { Reply } from "../reply";
import { section } from "./common";

export interface LimitNoticeView {
  /** The team the limit belongs to (for a budget, perhaps an ancestor of the spending team). */
  team: Pick<TeamEntity, "name">;
  limit: Pick<LimitEntity, "scope" | "totalMax" | "period">;
  threshold: 80 | 100;
  /** When the period resets (epoch ms); null for a lifetime limit. */
  resetsAt: number | null;
  timeZone: string;
}

const PERIOD_WORD = { none: "lifetime", daily: "daily", weekly: "weekly", monthly: "monthly" } as const;

/**
 * One line about a limit crossing 80% or 100%: "You've used 80% of your 1,000,000-token monthly
 * limit in Platform; it resets Dec 1." To the member for their own (or the default) limit; in the
 * team's channel for a budget.
 */
export function limitNoticeMessage(view: LimitNoticeView): Reply {
  const tokens = `${(view.limit.totalMax ?? 0).toLocaleString("en-US")}-token ${PERIOD_WORD[view.limit.period]}`;
  const reset = view.resetsAt === null ? "" : `; it resets ${resetDay(view.resetsAt, view.timeZone)}`;
  const text =
    view.limit.scope === "budget"
      ? `${view.team.name} has used ${view.threshold}% of its ${tokens} budget${reset}.`
      : `You've used ${view.threshold}% of your ${tokens} limit in ${view.team.name}${reset}.`;
  const icon = view.threshold >= 100 ? ":no_entry:" : ":warning:";
  return { text, blocks: [section(`${icon} ${escapeMrkdwn(text)}`)] };
}

/** "Dec 1": the day the period resets, in TIMEZONE, where limits reset at midnight. */
function resetDay(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone }).format(epochMs);
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
