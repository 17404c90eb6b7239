import type { LimitEntity } from "../../entities";
import { type CounterKey, counterKey } from "../repositories/counter.repository";
import type { PeriodStarts, SpendContext } from "../repositories/limit.repository";
import { QUARTER_MS, type UsageRow } from "../repositories/usage.repository";
import { type AppliedLimit, applicableLimits, evaluate, headroom, type RejectReason } from "./spend-rules";
import type { SpendInput, SpendResult } from "./usage.service";

/**
 * Deciding one batch of spends (UsageService.record): which limits and counters each event falls
 * under (Planner), and each event's fate in order against the running totals (decideBatch). No
 * storage here: the service reads the context and the totals, and writes what this decided.
 */

/** What one user may spend at one time: a membership problem, or the limits that apply and their counters. */
export interface Plan {
  problem?: RejectReason;
  applied: AppliedLimit[];
}

/**
 * A team's spend context (SpendContext) and what follows from it: which limits and counters each
 * user's spends fall under, planned per user and quarter-hour (periods turn only on quarter-hours,
 * so every event of a user in one quarter falls under the same counters), with one shared
 * CounterKey object per counter, so the per-event work is a map lookup.
 *
 * UsageService keeps one per team between batches (SpendContexts): `absorb` merges a later read of
 * the same spend version, `settle` carries a committed batch's totals forward, and `covers` says
 * whether a batch's users and key were all read.
 */
export class Planner {
  private readonly plans = new Map<string, Plan>();
  private readonly counters = new Map<string, CounterKey>();
  private readonly byId: Map<number, LimitEntity>;
  /** Users whose membership was read (members or not), and the keys found live. */
  private readonly known = new Set<string>();
  private readonly liveKeys = new Set<number>();

  constructor(
    private readonly context: SpendContext,
    private readonly timeZone: string,
    private readonly teamId: number,
    read: { users: string[]; keyId?: number },
  ) {
    this.byId = new Map(context.limits.map((l) => [l.id, l]));
    this.remember(read.users, read.keyId);
  }

  /** The workspace's spend version the context was read at. */
  get version(): number {
    return this.context.version;
  }

  /** The running totals it decides on (shared with other teams' kept contexts: SpendContexts). */
  get totals(): SpendContext["counters"] {
    return this.context.counters;
  }

  /** Whether every one of these users, and the key, was read (so a batch of theirs needs no read). */
  covers(users: string[], keyId: number | undefined): boolean {
    if (keyId !== undefined && !this.liveKeys.has(keyId)) return false;
    for (const user of users) if (!this.known.has(user)) return false;
    return true;
  }

  /**
   * Takes in a later read of the same spend version for more users (nothing it relies on changed
   * in between): their statuses, their limits and the totals now. False, and nothing taken, when
   * the version differs.
   */
  absorb(fresh: SpendContext, read: { users: string[]; keyId?: number }): boolean {
    if (fresh.version !== this.context.version) return false;
    for (const [user, status] of fresh.statuses) this.context.statuses.set(user, status);
    for (const limit of fresh.limits) {
      if (this.byId.has(limit.id)) continue;
      this.byId.set(limit.id, limit);
      this.context.limits.push(limit);
    }
    if (fresh.counters !== this.context.counters)
      for (const [key, counter] of fresh.counters) this.context.counters.set(key, counter);
    this.remember(read.users, read.keyId);
    return true;
  }

  plan(userId: string, at: number): Plan {
    const memo = `${userId}|${Math.floor(at / QUARTER_MS)}`;
    let plan = this.plans.get(memo);
    if (!plan) {
      const status = this.context.statuses.get(userId);
      const problem = status === undefined ? "not_a_member" : status === "inactive" ? "inactive" : undefined;
      const applied = problem
        ? []
        : applicableLimits(this.context.limits, this.teamId, userId, at, this.timeZone);
      for (const a of applied) if (a.counter) a.counter = this.shared(a.counter);
      plan = problem ? { problem, applied } : { applied };
      // Kept between batches: bounded, since old quarter-hours are never asked for again.
      if (this.plans.size >= MAX_PLANS) this.plans.clear();
      this.plans.set(memo, plan);
    }
    return plan;
  }

  /** Every counter these plans need, each once. */
  keysOf(planned: Plan[]): CounterKey[] {
    const keys = new Set<CounterKey>();
    for (const { applied } of planned) for (const { counter } of applied) if (counter) keys.add(counter);
    return [...keys];
  }

  limit(id: number): LimitEntity | undefined {
    return this.byId.get(id);
  }

  /** The counter as the context read it (without a lock); undefined if it doesn't exist yet. */
  readCounter(key: CounterKey): { id: number; tokens: number } | undefined {
    return this.context.counters.get(counterKey(key));
  }

  /** Whether the context read this counter's period (else it was not read at all). */
  inPeriods(key: CounterKey, periods: PeriodStarts): boolean {
    const period = this.byId.get(key.limitId)?.period;
    return period !== undefined && key.periodStart === (period === "none" ? "" : periods[period]);
  }

  /**
   * A batch committed these totals' changes: they now hold `after`. Decided on totals read
   * without locks, each must still be what the batch read here (`before`); else another batch of
   * this process moved it meanwhile, and false. With `locked`, the batch read them under its locks,
   * so its `after` is the truth whatever this held. A total the batch created has no id here: its
   * user is read afresh next time, and a new budget total makes it false. False: this context's
   * totals are no longer known and it must not be kept.
   */
  settle(deltas: CounterDelta[], locked: boolean): boolean {
    for (const { key, id, before, after } of deltas) {
      if (id === undefined) {
        if (!key.subjectKey) return false;
        this.known.delete(key.subjectKey);
        continue;
      }
      const name = counterKey(key);
      const counter = this.context.counters.get(name);
      if (locked) this.context.counters.set(name, { id, tokens: after });
      else if (counter?.id === id && counter.tokens === before) counter.tokens = after;
      else return false;
    }
    return true;
  }

  private remember(users: string[], keyId: number | undefined): void {
    for (const user of users) this.known.add(user);
    if (keyId !== undefined && this.context.keyLive) this.liveKeys.add(keyId);
  }

  private shared(key: CounterKey): CounterKey {
    const name = counterKey(key);
    const found = this.counters.get(name);
    if (found) return found;
    this.counters.set(name, key);
    return key;
  }
}

/** Plans a kept Planner remembers before it starts afresh. */
const MAX_PLANS = 100_000;

/** A running total a batch changed: from `before` to `after` (`id` undefined: created by it). */
export interface CounterDelta {
  key: CounterKey;
  id: number | undefined;
  before: number;
  after: number;
}

export interface Decided {
  results: SpendResult[];
  rows: UsageRow[];
  /** Each counter's total after the accepted events. */
  used: Map<CounterKey, number>;
  /** Events refused (by membership or a limit) on their first appearance in the batch. */
  refused: number[];
}

/**
 * Decides a batch's events in order against the running totals: `recorded` are the transaction IDs
 * the team already has (duplicates, as is a repeat within the batch); the rest are refused by
 * membership or a limit, or accepted and added to every counter they fall under.
 */
export function decideBatch(
  events: Required<SpendInput>[],
  planned: Plan[],
  start: Map<CounterKey, number>,
  recorded: Set<string>,
  row: { workspaceId: string; teamId: number; createdAt: number },
): Decided {
  const used = new Map(start);
  const usedOf = (k: CounterKey) => used.get(k) ?? 0;
  const seen = new Set(recorded);
  const rows: UsageRow[] = [];
  const refused: number[] = [];
  const results = events.map((event, i): SpendResult => {
    const { transactionId } = event;
    const { problem, applied } = planned[i];
    if (seen.has(transactionId)) {
      const { remaining, transactionMax } = headroom(applied, usedOf, 0);
      return { transactionId, status: "duplicate", remaining, transactionMax };
    }
    seen.add(transactionId);
    if (problem) {
      refused.push(i);
      return { transactionId, status: "rejected", reason: problem, remaining: 0, transactionMax: 0 };
    }
    const verdict = evaluate(event.tokens, applied, usedOf);
    if (!verdict.allowed) {
      refused.push(i);
      const { reason, remaining, transactionMax } = verdict;
      return { transactionId, status: "rejected", reason, remaining, transactionMax };
    }
    for (const { counter } of applied) if (counter) used.set(counter, usedOf(counter) + event.tokens);
    rows.push({
      workspaceId: row.workspaceId,
      teamId: row.teamId,
      userId: event.userId,
      tokens: event.tokens,
      resource: event.resource,
      transactionId,
      occurredAt: event.occurredAt,
      createdAt: row.createdAt,
    });
    return {
      transactionId,
      status: "accepted",
      remaining: verdict.remaining,
      transactionMax: verdict.transactionMax,
    };
  });
  return { results, rows, used, refused };
}
