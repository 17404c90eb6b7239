import type { LimitEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Forbidden, InvalidInput, NotFound } from "../domain/errors";
import { localDay, startOfLocalDay } from "../domain/periods";
import { describe, userId as validUserId } from "../domain/validation";
import type { Repositories } from "../repositories";
import { type CounterKey, counterKey } from "../repositories/counter.repository";
import { QUARTER_MS, type UsageRow } from "../repositories/usage.repository";
import type { Actor } from "./actor";
import type { Policy } from "./policy";
import { type AppliedLimit, applicableLimits, evaluate, headroom, type RejectReason } from "./spend-rules";

export interface SpendInput {
  transactionId: string;
  /** A Slack user ID (the caller resolves emails). */
  userId: string;
  tokens: number;
  resource: string;
  occurredAt?: number;
}

export interface SpendResult {
  transactionId: string;
  status: "accepted" | "duplicate" | "rejected";
  reason?: RejectReason;
  remaining: number | null;
  transactionMax: number | null;
}

/** A limit crossed 80% or 100% of its total in a period: once per limit, subject, period, threshold. */
export interface LimitNotice {
  team: TeamEntity;
  limit: LimitEntity;
  /** The user whose spend it is, or null for a team budget. */
  userId: string | null;
  threshold: 80 | 100;
  used: number;
  periodStart: string;
}

export interface UsageReport {
  from: string;
  to: string;
  by: "user" | "resource" | "day";
  total: number;
  rows: { key: string; tokens: number; events: number }[];
}

/** What `/team usage` asks for: dates are local days (YYYY-MM-DD) in TIMEZONE, inclusive. */
export interface UsageQuery {
  /** Whose usage; absent for the whole team (or, without usage:view_all, the asker's own). */
  userId?: string;
  from?: string;
  to?: string;
  by?: UsageReport["by"];
}

/** A report as a person may see it: the team, and the one user it covers (null for everyone). */
export interface UsageView extends UsageReport {
  team: TeamEntity;
  userId: string | null;
}

const GROUPINGS: UsageReport["by"][] = ["user", "resource", "day"];
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const MAX_TOKENS_PER_EVENT = 1_000_000_000_000;
const THRESHOLDS = [80, 100] as const;
const DAY = 86_400_000;

/**
 * Usage: recording spends under every limit that applies, atomically, and reporting them.
 *
 * `record` is the hot path the AI platform calls. For a batch it locks the running-total counters
 * the batch touches (one statement, in index order), decides each event in order against those
 * totals in memory, writes the accepted events with multi-row INSERTs and adds each counter's
 * delta, all in one transaction. Concurrent batches on the same counters, from any number of
 * processes, queue on those row locks, so together they never exceed a limit; batches on other
 * counters don't wait for each other. History is never summed on this path.
 */
export class UsageService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly timeZone: string,
    private readonly policy: Policy,
  ) {}

  /** Records spends for the team (its API key decides it); one result per event, in order. */
  async record(
    workspaceId: string,
    teamId: number,
    events: SpendInput[],
  ): Promise<{ results: SpendResult[]; notices: LimitNotice[] }> {
    const clean = events.map((e, i) => this.valid(e, i));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((repos) => this.recordIn(repos, workspaceId, teamId, clean));
      } catch (error) {
        // Another process recorded one of these transaction IDs between our read and our insert:
        // run again, and it will be reported as a duplicate.
        if (isUniqueViolation(error) && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** Would this spend be allowed now? Records nothing; `remaining` is what is left before it. */
  async check(
    workspaceId: string,
    teamId: number,
    userId: string,
    tokens: number,
  ): Promise<Omit<SpendResult, "transactionId" | "status"> & { allowed: boolean }> {
    const spend = this.valid({ transactionId: "check", userId, tokens, resource: "check" }, 0);
    return this.db.read(async (repos) => {
      const context = await this.context(repos, workspaceId, teamId, [spend.userId]);
      const refusal = context.membershipProblem(spend.userId);
      const applied = applicableLimits(context.limits, teamId, spend.userId, spend.occurredAt, this.timeZone);
      const counters = await repos.counters.read(keysOf(applied));
      if (refusal) {
        return { allowed: false, reason: refusal, remaining: 0, transactionMax: 0 };
      }
      const used = (k: CounterKey) => counters.get(counterKey(k))?.tokens ?? 0;
      const verdict = evaluate(spend.tokens, applied, used);
      // A check records nothing, so it answers with what is left now, before the spend it asks about.
      const { remaining, transactionMax } = headroom(applied, used, 0);
      return { allowed: verdict.allowed, reason: verdict.reason, remaining, transactionMax };
    });
  }

  /**
   * Totals for [from, to] (local days in TIMEZONE, inclusive; real dates, at most 366 days; by
   * default the last 30 days up to today) by user, resource or day, for the team and its
   * sub-teams, optionally of one user.
   */
  async report(
    workspaceId: string,
    teamId: number,
    query: { from?: string; to?: string; by: UsageReport["by"]; userId?: string },
  ): Promise<UsageReport> {
    const days = this.range(query.from, query.to);
    const from = startOfLocalDay(days.from, this.timeZone);
    // The next local day's start, not +24h: a day with a DST change has 23 or 25 hours.
    const to = startOfLocalDay(addDays(days.to, 1), this.timeZone);
    return this.db.read(async (repos) => {
      const teamIds = await repos.teams.subtree(workspaceId, teamId);
      const grouped = await repos.usage.grouped(
        teamIds,
        from,
        to,
        query.by === "day" ? "quarter" : query.by,
        query.userId,
      );
      const rows = query.by === "day" ? this.foldQuartersIntoDays(grouped) : grouped;
      rows.sort((a, b) =>
        query.by === "day" ? a.key.localeCompare(b.key) : b.tokens - a.tokens || a.key.localeCompare(b.key),
      );
      return {
        from: days.from,
        to: days.to,
        by: query.by,
        total: rows.reduce((sum, r) => sum + r.tokens, 0),
        rows,
      };
    });
  }

  /**
   * `report` for a person. Anyone who can see the team sees their own usage in it (grouped as they
   * ask); the whole team's, or another user's, needs usage:view_all. Without it and without naming
   * anyone, the report narrows to the asker's own. Dates default to the last 30 days up to today
   * in TIMEZONE; a report spans at most 366 days.
   */
  async reportFor(actor: Actor, teamName: string, query: UsageQuery = {}): Promise<UsageView> {
    const by = query.by ?? "user";
    if (!GROUPINGS.includes(by))
      throw new InvalidInput(`by is one of ${GROUPINGS.join(", ")}, like by=resource.`, "by");
    const named = query.userId === undefined ? undefined : validUserId(query.userId);
    const { team, userId } = await this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      if ((await this.policy.permissions(repos, actor, team)).has("usage:view_all"))
        return { team, userId: named ?? null };
      if (named !== undefined && named !== actor.userId) {
        throw new Forbidden(
          `You need the usage:view_all permission in ${team.name} to see someone else's usage; /team usage ${team.name} shows your own.`,
          "usage:view_all",
        );
      }
      return { team, userId: actor.userId };
    });
    const report = await this.report(team.workspaceId, team.id, {
      from: query.from,
      to: query.to,
      by,
      userId: userId ?? undefined,
    });
    return { ...report, team, userId };
  }

  /** The report's days: real dates, from ≤ to, at most MAX_DAYS; missing ends default around today. */
  private range(fromText?: string, toText?: string): { from: string; to: string } {
    const today = localDay(this.clock.now(), this.timeZone);
    const to = toText === undefined ? today : calendarDay(toText, "to");
    const from = fromText === undefined ? addDays(to, 1 - DEFAULT_DAYS) : calendarDay(fromText, "from");
    if (from > to) {
      const end = toText === undefined ? `today, ${to}` : `to=${to}`;
      throw new InvalidInput(`from=${from} is after ${end}; give a from on or before to.`, "from");
    }
    const days = (Date.parse(to) - Date.parse(from)) / DAY + 1;
    if (days > MAX_DAYS) {
      throw new InvalidInput(
        `A report covers at most ${MAX_DAYS} days, and ${from} to ${to} is ${days}; narrow from= or to=.`,
        "from",
      );
    }
    return { from, to };
  }

  /** Who hears of a budget's notice: the team the limit belongs to (for its channel) and its owner. */
  async noticeAudience(
    workspaceId: string,
    teamId: number,
  ): Promise<{ team: TeamEntity; ownerId: string | null } | null> {
    return this.db.read(async (repos) => {
      const team = await repos.teams.findById(workspaceId, teamId);
      if (!team) return null;
      return { team, ownerId: (await repos.memberships.owner(team.id))?.userId ?? null };
    });
  }

  private async recordIn(
    repos: Repositories,
    workspaceId: string,
    teamId: number,
    events: Required<SpendInput>[],
  ) {
    const context = await this.context(repos, workspaceId, teamId, [...new Set(events.map((e) => e.userId))]);
    const appliedFor = events.map((e) =>
      context.membershipProblem(e.userId)
        ? []
        : applicableLimits(context.limits, teamId, e.userId, e.occurredAt, this.timeZone),
    );
    const counters = await repos.counters.lock(uniqueKeys(appliedFor.flat()));
    // Read after taking the locks: a concurrent batch with the same IDs has committed by now.
    const seen = await repos.usage.existing(
      teamId,
      events.map((e) => e.transactionId),
    );
    const used = new Map([...counters].map(([key, counter]) => [key, counter.tokens]));
    const start = new Map(used);
    const rows: UsageRow[] = [];
    const now = this.clock.now();

    const results = events.map((event, i): SpendResult => {
      const applied = appliedFor[i];
      const usedOf = (k: CounterKey) => used.get(counterKey(k)) ?? 0;
      if (seen.has(event.transactionId)) {
        const { remaining, transactionMax } = headroom(applied, usedOf, 0);
        return { transactionId: event.transactionId, status: "duplicate", remaining, transactionMax };
      }
      seen.add(event.transactionId);
      const problem = context.membershipProblem(event.userId);
      if (problem)
        return {
          transactionId: event.transactionId,
          status: "rejected",
          reason: problem,
          remaining: 0,
          transactionMax: 0,
        };
      const verdict = evaluate(event.tokens, applied, usedOf);
      if (!verdict.allowed) {
        return {
          transactionId: event.transactionId,
          status: "rejected",
          reason: verdict.reason,
          remaining: verdict.remaining,
          transactionMax: verdict.transactionMax,
        };
      }
      for (const { counter } of applied)
        if (counter) used.set(counterKey(counter), usedOf(counter) + event.tokens);
      rows.push({
        workspaceId,
        teamId,
        userId: event.userId,
        tokens: event.tokens,
        resource: event.resource,
        transactionId: event.transactionId,
        occurredAt: event.occurredAt,
        createdAt: now,
      });
      return {
        transactionId: event.transactionId,
        status: "accepted",
        remaining: verdict.remaining,
        transactionMax: verdict.transactionMax,
      };
    });

    await repos.usage.insertMany(rows);
    const deltas = [...counters].flatMap(([key, counter]) => {
      const tokens = (used.get(key) ?? 0) - (start.get(key) ?? 0);
      return tokens === 0 ? [] : [{ key, counter, tokens }];
    });
    await repos.counters.addMany(deltas.map(({ counter, tokens }) => ({ id: counter.id, tokens })));
    const notices: LimitNotice[] = [];
    for (const { key, counter } of deltas) {
      const limit = context.limits.find((l) => l.id === counter.limitId);
      if (limit?.totalMax) {
        notices.push(
          ...(await this.crossings(
            repos,
            context.team,
            limit,
            counter,
            start.get(key) ?? 0,
            used.get(key) ?? 0,
            now,
          )),
        );
      }
    }
    return { results, notices };
  }

  /** The 80%/100% thresholds this batch crossed, each recorded once (across processes). */
  private async crossings(
    repos: Repositories,
    team: () => Promise<TeamEntity>,
    limit: LimitEntity,
    counter: CounterKey,
    before: number,
    after: number,
    now: number,
  ): Promise<LimitNotice[]> {
    const notices: LimitNotice[] = [];
    for (const threshold of THRESHOLDS) {
      const line = ((limit.totalMax ?? 0) * threshold) / 100;
      if (before < line && after >= line && (await repos.counters.recordNotice(counter, threshold, now))) {
        notices.push({
          team: await team(),
          limit,
          userId: counter.subjectKey || null,
          threshold,
          used: after,
          periodStart: counter.periodStart,
        });
      }
    }
    return notices;
  }

  /**
   * The team's chain of ancestors, its members among `userIds`, and every limit that can apply
   * to them: three queries, whatever the depth. The team itself is read only if a notice needs it.
   */
  private async context(repos: Repositories, workspaceId: string, teamId: number, userIds: string[]) {
    const chain = await repos.teams.chain(workspaceId, teamId);
    if (chain.length === 0) throw new NotFound("That team no longer exists.");
    const members = await repos.memberships.statuses(teamId, userIds);
    const limits = await repos.limits.applicable(teamId, chain, userIds);
    let team: Promise<TeamEntity> | undefined;
    return {
      team: () =>
        (team ??= repos.teams.findById(workspaceId, teamId).then((found) => {
          if (!found) throw new NotFound("That team no longer exists.");
          return found;
        })),
      limits,
      membershipProblem: (userId: string): RejectReason | undefined => {
        const status = members.get(userId);
        return status === undefined ? "not_a_member" : status === "inactive" ? "inactive" : undefined;
      },
    };
  }

  private valid(event: SpendInput, index: number): Required<SpendInput> {
    const field = (name: string) => `events[${index}].${name}`;
    if (typeof event.transactionId !== "string" || !event.transactionId || event.transactionId.length > 191) {
      throw new InvalidInput("transactionId is text of 1 to 191 characters.", field("transactionId"));
    }
    if (!Number.isSafeInteger(event.tokens) || event.tokens < 0 || event.tokens > MAX_TOKENS_PER_EVENT) {
      throw new InvalidInput(`tokens is a whole number from 0 to ${MAX_TOKENS_PER_EVENT}.`, field("tokens"));
    }
    if (typeof event.resource !== "string" || !event.resource || event.resource.length > 191) {
      throw new InvalidInput(
        "resource is text of 1 to 191 characters, like a model name.",
        field("resource"),
      );
    }
    const occurredAt = event.occurredAt ?? this.clock.now();
    if (!Number.isSafeInteger(occurredAt) || occurredAt < 0)
      throw new InvalidInput("occurredAt is a time.", field("occurredAt"));
    return { ...event, occurredAt };
  }

  private foldQuartersIntoDays(rows: { key: string; tokens: number; events: number }[]) {
    const days = new Map<string, { key: string; tokens: number; events: number }>();
    for (const row of rows) {
      const day = localDay(Number(row.key) * QUARTER_MS, this.timeZone);
      const into = days.get(day) ?? { key: day, tokens: 0, events: 0 };
      into.tokens += row.tokens;
      into.events += row.events;
      days.set(day, into);
    }
    return [...days.values()];
  }
}

/** A real calendar date written YYYY-MM-DD (not 2026-02-30), or InvalidInput naming `field`. */
function calendarDay(text: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!day || day.getUTCFullYear() < 1970 || day.toISOString().slice(0, 10) !== text) {
    throw new InvalidInput(
      `${field} is a date written YYYY-MM-DD, like ${field}=2026-01-31, not ${describe(text)}.`,
      field,
    );
  }
  return text;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(day) + days * DAY).toISOString().slice(0, 10);
}

function keysOf(applied: AppliedLimit[]): CounterKey[] {
  return applied.flatMap((a) => (a.counter ? [a.counter] : []));
}

function uniqueKeys(applied: AppliedLimit[]): CounterKey[] {
  const keys = new Map<string, CounterKey>();
  for (const key of keysOf(applied)) keys.set(counterKey(key), key);
  return [...keys.values()];
}
