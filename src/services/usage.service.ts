import type { LimitEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { InvalidInput, NotFound } from "../domain/errors";
import type { Repositories } from "../repositories";
import { type CounterKey, counterKey } from "../repositories/counter.repository";
import type { UsageRow } from "../repositories/usage.repository";
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

const MAX_TOKENS_PER_EVENT = 1_000_000_000_000;
const THRESHOLDS = [80, 100] as const;

/**
 * Usage: recording spends under every limit that applies, atomically (reports are in
 * usage-report.service.ts).
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
}

/** A real calendar date written YYYY-MM-DD (not 2026-02-30), or InvalidInput naming `field`. */
function keysOf(applied: AppliedLimit[]): CounterKey[] {
  return applied.flatMap((a) => (a.counter ? [a.counter] : []));
}

function uniqueKeys(applied: AppliedLimit[]): CounterKey[] {
  const keys = new Map<string, CounterKey>();
  for (const key of keysOf(applied)) keys.set(counterKey(key), key);
  return [...keys.values()];
}
