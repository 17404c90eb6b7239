import type { LimitPeriod, LimitScope, MembershipStatus } from "../../entities";
import { DAY, nextReset, periodStart } from "../domain/periods";
import type {
  DigestCounterRow,
  DigestLimitRow,
  DigestMemberRow,
  DigestTeamRow,
} from "../repositories/digest.repository";
import type { DigestPeriod } from "./digest-period";

/** How a member's spend measures against their limit (their own, or the team's default per member). */
export interface DigestLimitUse {
  scope: Extract<LimitScope, "member" | "default">;
  period: LimitPeriod;
  totalMax: number;
  /**
   * Tokens counted against the limit: the week's for a weekly limit, the busiest day of the week's
   * for a daily one, the month's so far (the month holding the week's last day) for a monthly one,
   * and everything so far for a lifetime one.
   */
  used: number;
  /** The busiest day (YYYY-MM-DD), for a daily limit. */
  day?: string;
  /** used / totalMax × 100. */
  percent: number;
}

export interface DigestMember {
  userId: string;
  /** `former`: spent during the week but is no longer in the team. */
  status: MembershipStatus | "former";
  /** Tokens spent in the period. */
  tokens: number;
  limit: DigestLimitUse | null;
}

export interface DigestBudget {
  totalMax: number;
  period: LimitPeriod;
  /** Spent under it in its current period, by the team and its sub-teams (its running total). */
  used: number;
  /** Tokens a week at the period's pace, by the team and its sub-teams. */
  pacePerWeek: number;
  /** When it runs out at that pace; null when it resets first or nothing is being spent. */
  runsOutAt: number | null;
  /** When its period ends; null for a lifetime budget. */
  resetsAt: number | null;
}

export interface DigestWaiting {
  joinRequests: number;
  limitRequests: number;
  invitations: number;
}

/** The chart's data: tokens per local day, one series per top member and one for everyone else. */
export interface DigestChart {
  days: string[];
  /** `userId` null: the rest of the team ("others"). */
  series: { userId: string | null; values: number[] }[];
}

export interface Digest {
  workspaceId: string;
  team: { id: number; name: string; channelId: string | null };
  period: DigestPeriod;
  timeZone: string;
  builtAt: number;
  /** The channel and admins see everything; a member's preview leaves out what waits for admins. */
  audience: "channel" | "admin" | "member";
  total: number;
  previousTotal: number;
  /** Percent change from the previous total; null when that was 0. */
  change: number | null;
  activeMembers: number;
  /** Every active member, and anyone else who spent in the period, most tokens first. */
  members: DigestMember[];
  /** The most used resources, most tokens first (at most TOP_RESOURCES). */
  resources: { resource: string; tokens: number }[];
  resourceCount: number;
  /** Members at NEAR_PERCENT or more of their limit, fullest first. */
  nearLimit: DigestMember[];
  budget: DigestBudget | null;
  /** Active members (not the owner) of four weeks' standing with no usage in the four weeks up to the period's end. */
  idle: string[];
  /** What waits for admins; null when the reader isn't one. */
  waiting: DigestWaiting | null;
  chart: DigestChart;
}

export const NEAR_PERCENT = 80;
export const IDLE_MS = 28 * DAY;
export const TOP_RESOURCES = 10;
/** Members drawn in the chart by name; the rest are stacked as "others". */
export const CHART_MEMBERS = 5;
const WEEK_MS = 7 * DAY;
/** A pace measured over less than this is not extrapolated to a week (Monday 00:05 would be wild). */
const MIN_PACE_SPAN = 3_600_000;

/** Bucket numbers of DigestRepository.buckets for the edges the service passes. */
export const PREVIOUS_BUCKET = 0;
export const FIRST_DAY_BUCKET = 2;

/** Everything the database said about one team, already narrowed to it. */
export interface TeamFacts {
  team: DigestTeamRow;
  members: DigestMemberRow[];
  limits: DigestLimitRow[];
  counters: Map<string, number>;
  /** Tokens per user per bucket (see DigestRepository.buckets). */
  buckets: Map<string, number[]>;
  resources: { resource: string; tokens: number }[];
  /** Users with any usage in [end − IDLE_MS, end). */
  recentUsers: Set<string>;
  /** Sub-teams' tokens in the period, for a budget's pace. */
  subTeamTokens: number;
  waiting: DigestWaiting;
}

export const counterId = (limitId: number, subjectKey: string, start: string) =>
  `${limitId}|${subjectKey}|${start}`;

export function counterMap(rows: DigestCounterRow[]): Map<string, number> {
  return new Map(rows.map((r) => [counterId(r.limitId, r.subjectKey, r.periodStart), r.tokens]));
}

/** The counter period a member limit is read in: the one holding the week's last instant. */
export function memberCounterStart(period: LimitPeriod, digest: DigestPeriod, timeZone: string): string {
  return periodStart(period, Math.max(digest.from, digest.to - 1), timeZone);
}

/** One team's digest from its facts: pure arithmetic, no I/O. */
export function assembleDigest(
  workspaceId: string,
  facts: TeamFacts,
  period: DigestPeriod,
  timeZone: string,
  now: number,
): Digest {
  const dayCount = period.days.length;
  const daily = (userId: string) =>
    (facts.buckets.get(userId) ?? []).slice(FIRST_DAY_BUCKET, FIRST_DAY_BUCKET + dayCount);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  const own = new Map(facts.limits.filter((l) => l.scope === "member").map((l) => [l.subjectKey, l]));
  const fallback = facts.limits.find((l) => l.scope === "default");
  const limitUse = (userId: string, days: number[]): DigestLimitUse | null => {
    const limit = own.get(userId) ?? fallback;
    if (!limit) return null;
    let used: number;
    let day: string | undefined;
    if (limit.period === "weekly") used = sum(days);
    else if (limit.period === "daily") {
      used = Math.max(0, ...days);
      day = used > 0 ? period.days[days.indexOf(used)] : undefined;
    } else {
      const start = limit.period === "none" ? "" : memberCounterStart(limit.period, period, timeZone);
      used = facts.counters.get(counterId(limit.id, userId, start)) ?? 0;
    }
    const use: DigestLimitUse = {
      scope: limit.scope === "member" ? "member" : "default",
      period: limit.period,
      totalMax: limit.totalMax,
      used,
      percent: percentOf(used, limit.totalMax),
    };
    return day === undefined ? use : { ...use, day };
  };

  const statusOf = new Map(facts.members.map((m) => [m.userId, m.status]));
  const spenders = [...facts.buckets.keys()].filter((u) => sum(daily(u)) > 0);
  const listed = new Set([
    ...facts.members.filter((m) => m.status === "active").map((m) => m.userId),
    ...spenders,
  ]);
  const members: DigestMember[] = [...listed].map((userId) => {
    const days = daily(userId);
    const status = statusOf.get(userId) ?? "former";
    return { userId, status, tokens: sum(days), limit: status === "former" ? null : limitUse(userId, days) };
  });
  members.sort(
    (a, b) =>
      b.tokens - a.tokens ||
      (b.limit?.percent ?? -1) - (a.limit?.percent ?? -1) ||
      a.userId.localeCompare(b.userId),
  );

  let total = 0;
  let previousTotal = 0;
  for (const values of facts.buckets.values()) {
    previousTotal += values[PREVIOUS_BUCKET] ?? 0;
    total += sum(values.slice(FIRST_DAY_BUCKET, FIRST_DAY_BUCKET + dayCount));
  }

  const idleSince = period.to - IDLE_MS;
  const idle = facts.members
    // The owner can't be deactivated, so they are never offered as idle.
    .filter(
      (m) => m.status === "active" && !m.owner && m.joinedAt <= idleSince && !facts.recentUsers.has(m.userId),
    )
    .map((m) => m.userId)
    .sort();

  return {
    workspaceId,
    team: { id: facts.team.id, name: facts.team.name, channelId: facts.team.channelId },
    period,
    timeZone,
    builtAt: now,
    audience: "channel",
    total,
    previousTotal,
    change: previousTotal === 0 ? null : ((total - previousTotal) / previousTotal) * 100,
    activeMembers: facts.members.filter((m) => m.status === "active").length,
    members,
    resources: [...facts.resources]
      .sort((a, b) => b.tokens - a.tokens || a.resource.localeCompare(b.resource))
      .slice(0, TOP_RESOURCES),
    resourceCount: facts.resources.length,
    nearLimit: members
      .filter((m) => m.limit && m.limit.percent >= NEAR_PERCENT)
      .sort((a, b) => (b.limit?.percent ?? 0) - (a.limit?.percent ?? 0) || a.userId.localeCompare(b.userId)),
    budget: budgetOf(facts, total, period, timeZone, now),
    idle,
    waiting: facts.waiting,
    chart: chartOf(members, daily, period.days),
  };
}

function percentOf(used: number, totalMax: number): number {
  return totalMax === 0 ? 100 : (used / totalMax) * 100;
}

/**
 * The team's own budget (ancestors' budgets belong to their own digests): what its running total
 * says now, and when that reaches the budget if the team and its sub-teams keep spending at the
 * period's pace. A budget that resets before then "doesn't run out at this pace".
 */
function budgetOf(
  facts: TeamFacts,
  teamTokens: number,
  period: DigestPeriod,
  timeZone: string,
  now: number,
): DigestBudget | null {
  const limit = facts.limits.find((l) => l.scope === "budget");
  if (!limit) return null;
  const used = facts.counters.get(counterId(limit.id, "", periodStart(limit.period, now, timeZone))) ?? 0;
  const span = Math.max(period.to - period.from, MIN_PACE_SPAN);
  const perMs = (teamTokens + facts.subTeamTokens) / span;
  const resetsAt = nextReset(limit.period, now, timeZone);
  const left = limit.totalMax - used;
  let runsOutAt: number | null;
  if (left <= 0) runsOutAt = now;
  else if (perMs === 0) runsOutAt = null;
  else runsOutAt = now + Math.ceil(left / perMs);
  if (runsOutAt !== null && resetsAt !== null && runsOutAt >= resetsAt && left > 0) runsOutAt = null;
  return {
    totalMax: limit.totalMax,
    period: limit.period,
    used,
    pacePerWeek: Math.round(perMs * WEEK_MS),
    runsOutAt,
    resetsAt,
  };
}

function chartOf(members: DigestMember[], daily: (userId: string) => number[], days: string[]): DigestChart {
  const spenders = members.filter((m) => m.tokens > 0);
  const padded = (values: number[]) => days.map((_, i) => values[i] ?? 0);
  const series: DigestChart["series"] = spenders
    .slice(0, CHART_MEMBERS)
    .map((m) => ({ userId: m.userId, values: padded(daily(m.userId)) }));
  const rest = spenders.slice(CHART_MEMBERS);
  if (rest.length > 0) {
    const values = days.map(() => 0);
    for (const m of rest) padded(daily(m.userId)).forEach((v, i) => (values[i] += v));
    series.push({ userId: null, values });
  }
  return { days, series };
}
