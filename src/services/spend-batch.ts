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
 * Plans per user and quarter-hour (periods turn only on quarter-hours, so every event of a user in
 * one quarter falls under the same counters), with one shared CounterKey object per counter, so
 * the per-event work is a map lookup, not a fresh list of limits and keys.
 */
export class Planner {
  private readonly plans = new Map<string, Plan>();
  private readonly counters = new Map<string, CounterKey>();
  private readonly byId: Map<number, LimitEntity>;

  constructor(
    private readonly context: SpendContext,
    private readonly timeZone: string,
    private readonly teamId: number,
  ) {
    this.byId = new Map(context.limits.map((l) => [l.id, l]));
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
      this.plans.set(memo, plan);
    }
    return plan;
  }

  /** Every counter a plan so far needs. */
  keys(): CounterKey[] {
    return [...this.counters.values()];
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

  private shared(key: CounterKey): CounterKey {
    const name = counterKey(key);
    const found = this.counters.get(name);
    if (found) return found;
    this.counters.set(name, key);
    return key;
  }
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
