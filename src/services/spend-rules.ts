import type { LimitEntity } from "../../entities";
import { periodStart } from "../domain/periods";
import type { CounterKey } from "../repositories/counter.repository";

/**
 * The spend rule of SPEC section 4, as pure functions: which limits apply to a spend, and whether
 * it fits. A user's own limit applies in place of the team's default for members (a default is
 * what a member has until they have a limit of their own, so raising someone's limit can lift
 * them above it); the team's budget and every ancestor's budget apply on top. All that apply are
 * enforced; the lowest binds.
 */

export type RejectReason = "transaction_limit" | "total_limit" | "budget" | "not_a_member" | "inactive";

export interface AppliedLimit {
  limit: LimitEntity;
  /** Where the running total of this limit for this spend is kept (null when it has no total). */
  counter: CounterKey | null;
}

export interface Verdict {
  allowed: boolean;
  reason?: RejectReason;
  /** The limit that refused the spend (or binds tightest, when allowed). */
  binding?: LimitEntity;
  /** Tokens left under the tightest total limit after this spend; null when none applies. */
  remaining: number | null;
  /** The largest single spend that would be allowed next; null when nothing limits it. */
  transactionMax: number | null;
}

/** The limits that apply to `userId` spending in `teamId` at `at`; `limits` are the candidates. */
export function applicableLimits(
  limits: LimitEntity[],
  teamId: number,
  userId: string,
  at: number,
  timeZone: string,
): AppliedLimit[] {
  // Plain loops: a batch asks this for each of its users (no closures to create each time).
  let own: LimitEntity | undefined;
  let fallback: LimitEntity | undefined;
  for (const l of limits) {
    if (l.teamId !== teamId) continue;
    if (l.scope === "member" && l.subjectKey === userId) own ??= l;
    else if (l.scope === "default") fallback ??= l;
  }
  const personal = own ?? fallback;
  const applied: AppliedLimit[] = [];
  if (personal) applied.push(apply(personal, userId, at, timeZone));
  for (const l of limits) if (l.scope === "budget") applied.push(apply(l, userId, at, timeZone));
  return applied;
}

function apply(limit: LimitEntity, userId: string, at: number, timeZone: string): AppliedLimit {
  return {
    limit,
    counter:
      limit.totalMax === null
        ? null
        : {
            limitId: limit.id,
            subjectKey: limit.scope === "budget" ? "" : userId,
            periodStart: periodStart(limit.period, at, timeZone),
          },
  };
}

/**
 * Whether `tokens` fit under every applied limit, given the tokens already spent under each
 * (`used`, by counter key). Transaction limits are checked first, then totals, the user's own
 * before budgets, so the reason names the nearest rule.
 */
export function evaluate(
  tokens: number,
  applied: AppliedLimit[],
  used: (key: CounterKey) => number,
): Verdict {
  for (const { limit } of applied) {
    if (limit.transactionMax !== null && tokens > limit.transactionMax) {
      return refused("transaction_limit", limit, applied, used);
    }
  }
  for (const { limit, counter } of applied) {
    if (counter && limit.totalMax !== null && used(counter) + tokens > limit.totalMax) {
      return refused(limit.scope === "budget" ? "budget" : "total_limit", limit, applied, used);
    }
  }
  const verdict: Verdict = headroom(applied, used, tokens);
  verdict.allowed = true;
  return verdict;
}

function refused(
  reason: RejectReason,
  binding: LimitEntity,
  applied: AppliedLimit[],
  used: (key: CounterKey) => number,
): Verdict {
  const verdict: Verdict = headroom(applied, used, 0);
  verdict.reason = reason;
  verdict.binding = binding;
  return verdict;
}

/** Tokens left under the tightest total after spending `tokens`, and the largest next spend. */
export function headroom(
  applied: AppliedLimit[],
  used: (key: CounterKey) => number,
  tokens: number,
): Verdict {
  let remaining: number | null = null;
  let transactionMax: number | null = null;
  let binding: LimitEntity | undefined;
  for (const { limit, counter } of applied) {
    if (counter && limit.totalMax !== null) {
      const left = Math.max(0, limit.totalMax - used(counter) - tokens);
      if (remaining === null || left < remaining) {
        remaining = left;
        binding = limit;
      }
    }
    if (limit.transactionMax !== null)
      transactionMax = Math.min(transactionMax ?? Infinity, limit.transactionMax);
  }
  if (remaining !== null) transactionMax = Math.min(transactionMax ?? Infinity, remaining);
  // One object per answer, which evaluate completes: a batch asks this for each of its events.
  return { allowed: false, remaining, transactionMax, binding };
}
