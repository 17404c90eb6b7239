import type { LimitEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { InvalidInput, NotFound } from "../domain/errors";
import { periodStart } from "../domain/periods";
import type { Repositories } from "../repositories";
import { type CounterKey, counterKey } from "../repositories/counter.repository";
import type { PeriodStarts, SpendContext } from "../repositories/limit.repository";
import { ROWS_PER_INSERT } from "../repositories/usage.repository";
import { KeyRevoked } from "./api-key.service";
import { type CounterDelta, type Decided, decideBatch, Planner } from "./spend-batch";
import { SpendContexts } from "./spend-contexts";
import { evaluate, headroom, type RejectReason } from "./spend-rules";

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

export interface SpendOptions {
  /** The API key the request came with: it is confirmed live in the same statement as the context. */
  keyId?: number;
}

const MAX_TOKENS_PER_EVENT = 1_000_000_000_000;
/** After a batch of a team found a total moved, the team's batches take the locks first this long. */
const CONTENDED_MS = 2_000;
const THRESHOLDS = [80, 100] as const;

/**
 * Usage: recording spends under every limit that applies, atomically (reports are in
 * usage-report.service.ts).
 *
 * `record` is the hot path the AI platform calls. For a batch it reads the running-total counters
 * the batch touches (with its context, in one statement), decides each event in order against
 * those totals in memory, writes the accepted events with one multi-row INSERT and adds each
 * counter's delta only if no counter moved since it was read, all in one transaction. The UPDATE
 * locks the counters it changes until the commit, so of concurrent batches on the same counters,
 * from any number of processes, one keeps its decisions and the others find a total moved, roll
 * back and decide again holding the counters' row locks first (taken in index order, so they
 * queue rather than deadlock): together they never exceed a limit. Batches on other counters
 * don't wait for each other. History is never summed on this path.
 */
export class UsageService {
  /**
   * Teams whose batches lately found a total moved (until when, in ms), and those with batches in
   * flight here: where batches meet, reading without locks only costs a second try, so theirs take
   * the locks at once.
   */
  private readonly contended = new Map<number, number>();
  private readonly inFlight = new Map<number, number>();
  /** Teams' spend contexts kept between batches (see SpendContexts). */
  private readonly contexts = new SpendContexts();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /**
   * Records spends for the team (its API key decides it); one result per event, in order. With
   * `keyId`, that key must still be live: confirmed in the batch's own first statement, or
   * KeyRevoked and nothing recorded.
   */
  async record(
    workspaceId: string,
    teamId: number,
    events: SpendInput[],
    options: SpendOptions = {},
  ): Promise<{ results: SpendResult[]; notices: LimitNotice[] }> {
    const clean = events.map((e, i) => this.valid(e, i));
    // The totals come with the context for the periods of the batch's first event (a batch
    // reports what just happened, so nearly always every event is in those periods).
    const periods = periodsAt(clean[0]?.occurredAt ?? this.clock.now(), this.timeZone);
    const read = { users: uniqueUsers(clean), keyId: options.keyId };
    this.inFlight.set(teamId, (this.inFlight.get(teamId) ?? 0) + 1);
    try {
      let locking = this.isContended(teamId);
      for (let attempt = 1; ; attempt++) {
        // Where batches of a team meet, each reads afresh under locks; else the team's kept context.
        const kept = locking ? undefined : this.contexts.get(workspaceId, teamId, periods);
        const planner = this.plannerFor(workspaceId, teamId, periods, read, kept);
        let plans: Planner | undefined;
        try {
          const outcome = await this.db.transaction(async (repos) => {
            plans = await planner(repos);
            return this.recordIn(repos, plans, periods, workspaceId, teamId, clean, locking);
          });
          // Kept for the team's next batch, with the totals as this one left them.
          if (plans?.settle(outcome.deltas, locking)) this.contexts.keep(teamId, periods, plans);
          else this.contexts.drop(teamId, plans);
          return { results: outcome.results, notices: outcome.notices };
        } catch (error) {
          this.contexts.drop(teamId, plans ?? kept);
          // The kept context no longer holds (something it relies on changed): read afresh.
          if (error instanceof ContextStale && attempt < 4) continue;
          // A total moved under a batch decided without locks (another batch on the same counters
          // got there first): decide again, this time holding the locks. And another process
          // recorded one of these transaction IDs (or notices, or counters) between our read and
          // our insert: run again, and it will be reported as a duplicate.
          if (error instanceof CountersMoved) this.contended.set(teamId, Date.now() + CONTENDED_MS);
          if ((error instanceof CountersMoved || isUniqueViolation(error)) && attempt < 3) {
            locking = true;
            continue;
          }
          throw error;
        }
      }
    } finally {
      const left = (this.inFlight.get(teamId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(teamId, left);
      else this.inFlight.delete(teamId);
    }
  }

  /**
   * How the batch gets its Planner, started at once beside the transaction where the pool has a
   * connection to spare (Database.readAside), and awaited before the batch takes any lock. A kept
   * context that covers the batch's users and key costs one read of the workspace's spend
   * version, and is used only if that hasn't moved since it was read (else ContextStale); any
   * other reads the batch's users' context, merged into the kept one when both are of the same
   * version.
   */
  private plannerFor(
    workspaceId: string,
    teamId: number,
    periods: PeriodStarts,
    read: { users: string[]; keyId?: number },
    kept: Planner | undefined,
  ): (repos: Repositories) => Promise<Planner> {
    const work = kept?.covers(read.users, read.keyId)
      ? async (repos: Repositories) => {
          if ((await repos.workspaces.spendVersion(workspaceId)) !== kept.version) throw new ContextStale();
          return kept;
        }
      : async (repos: Repositories) => {
          const fresh = await this.context(repos, workspaceId, teamId, read.users, {
            periods,
            keyId: read.keyId,
          });
          const context = this.contexts.share(workspaceId, fresh);
          return kept?.absorb(context, read) ? kept : new Planner(context, this.timeZone, teamId, read);
        };
    const aside = this.db.readAside(work);
    // Awaited in the transaction; this only keeps a failure before then from going unhandled.
    aside?.catch(() => undefined);
    return (repos) => aside ?? work(repos);
  }

  private isContended(teamId: number): boolean {
    if ((this.inFlight.get(teamId) ?? 0) > 1) return true;
    const until = this.contended.get(teamId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.contended.delete(teamId);
    return false;
  }

  /**
   * Would this spend be allowed now? Records nothing; `remaining` is what is left before it. One
   * statement, the key's confirmation (`keyId`, as for `record`) included.
   */
  async check(
    workspaceId: string,
    teamId: number,
    userId: string,
    tokens: number,
    options: SpendOptions = {},
  ): Promise<Omit<SpendResult, "transactionId" | "status"> & { allowed: boolean }> {
    const spend = this.valid({ transactionId: "check", userId, tokens, resource: "check" }, 0);
    const at = spend.occurredAt;
    const periods = periodsAt(at, this.timeZone);
    return this.db.read(async (repos) => {
      // One statement: the context and, for this user now, every limit's running total.
      const read = { users: [spend.userId], keyId: options.keyId };
      const context = await this.context(repos, workspaceId, teamId, read.users, { ...read, periods });
      const plans = new Planner(context, this.timeZone, teamId, read);
      const { problem, applied } = plans.plan(spend.userId, at);
      if (problem) return { allowed: false, reason: problem, remaining: 0, transactionMax: 0 };
      const used = (k: CounterKey) => plans.readCounter(k)?.tokens ?? 0;
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

  /**
   * One batch, in its transaction. Nearly always three statements besides its INSERT: the context
   * with the totals it needs (read without locks), the accepted rows (whose INSERT also tells
   * whether any transaction ID was recorded before), and the totals' deltas, applied only if no
   * total moved since it was read (else CountersMoved, and the retry takes the locks first:
   * `locking`). Then the notices, if a threshold was crossed.
   */
  private async recordIn(
    repos: Repositories,
    plans: Planner,
    periods: PeriodStarts,
    workspaceId: string,
    teamId: number,
    events: Required<SpendInput>[],
    locking: boolean,
  ): Promise<{ results: SpendResult[]; notices: LimitNotice[]; deltas: CounterDelta[] }> {
    const planned = events.map((e) => plans.plan(e.userId, e.occurredAt));
    const keys = plans.keysOf(planned);
    const read = !locking && keys.every((k) => plans.inPeriods(k, periods));
    const counters = new Map<CounterKey, { id: number; tokens: number } | undefined>();
    if (read) for (const key of keys) counters.set(key, plans.readCounter(key));
    else {
      const locked = await repos.counters.lock(keys);
      for (const key of keys) counters.set(key, locked.get(counterKey(key)));
    }
    const start = new Map<CounterKey, number>();
    for (const key of keys) start.set(key, counters.get(key)?.tokens ?? 0);
    const now = this.clock.now();
    const decide = (recorded: Set<string>) =>
      decideBatch(events, planned, start, recorded, { workspaceId, teamId, createdAt: now });

    const ids = events.map((e) => e.transactionId);
    let batch: Decided;
    if (events.length > ROWS_PER_INSERT) {
      batch = decide(await repos.usage.existing(teamId, ids));
      await repos.usage.insertMany(batch.rows);
    } else {
      // Nearly every batch is new: decide as if none was recorded before and let the unique index
      // say otherwise.
      batch = decide(new Set());
      // A refused event isn't inserted, so whether it was recorded before is asked (here, not
      // beside: a transaction that holds locks never waits for another connection).
      const refusedIds = batch.refused.map((i) => ids[i]);
      if (!(await repos.usage.insertIfNew(batch.rows))) {
        // A retry of events already recorded: decide again, knowing which.
        batch = decide(await repos.usage.existing(teamId, ids));
        await repos.usage.insertMany(batch.rows);
      } else if (refusedIds.length) {
        const recorded = await repos.usage.existing(teamId, refusedIds);
        for (const i of batch.refused) {
          const result = batch.results[i];
          if (!recorded.has(result.transactionId)) continue;
          // It took nothing, so the events after it are decided the same.
          const known = !planned[i].problem;
          batch.results[i] = {
            transactionId: result.transactionId,
            status: "duplicate",
            remaining: known ? result.remaining : null,
            transactionMax: known ? result.transactionMax : null,
          };
        }
      }
    }

    const deltas: CounterDelta[] = [];
    for (const key of keys) {
      const before = start.get(key) ?? 0;
      const after = batch.used.get(key) ?? before;
      if (after !== before) deltas.push({ key, id: counters.get(key)?.id, before, after });
    }
    const updates = deltas.flatMap((d) =>
      d.id === undefined ? [] : [{ id: d.id, before: d.before, tokens: d.after - d.before }],
    );
    if (read) {
      if (!(await repos.counters.addIfUnchanged(updates))) throw new CountersMoved();
      await repos.counters.create(
        deltas.flatMap((d) => (d.id === undefined ? [{ key: d.key, tokens: d.after }] : [])),
      );
    } else {
      await repos.counters.addMany(updates);
    }
    const notices = await this.notices(repos, plans, deltas, now, workspaceId, teamId);
    return { results: batch.results, notices, deltas };
  }

  /** The 80%/100% thresholds this batch crossed, each recorded once (across processes). */
  private async notices(
    repos: Repositories,
    plans: Planner,
    deltas: { key: CounterKey; before: number; after: number }[],
    now: number,
    workspaceId: string,
    teamId: number,
  ): Promise<LimitNotice[]> {
    const crossed: { key: CounterKey; limit: LimitEntity; threshold: 80 | 100; used: number }[] = [];
    for (const { key, before, after } of deltas) {
      const limit = plans.limit(key.limitId);
      if (!limit?.totalMax) continue;
      for (const threshold of THRESHOLDS) {
        const line = (limit.totalMax * threshold) / 100;
        if (before < line && after >= line) crossed.push({ key, limit, threshold, used: after });
      }
    }
    if (crossed.length === 0) return [];
    const fresh = await repos.counters.recordNotices(
      crossed.map(({ key, threshold }) => ({ ...key, threshold })),
      now,
    );
    const sent = crossed.filter((_, i) => fresh[i]);
    if (sent.length === 0) return [];
    const team = await repos.teams.findById(workspaceId, teamId);
    if (!team) throw new NotFound("That team no longer exists.");
    return sent.map(({ key, limit, threshold, used }) => ({
      team,
      limit,
      userId: key.subjectKey || null,
      threshold,
      used,
      periodStart: key.periodStart,
    }));
  }

  /** The team's context for deciding spends by `userIds` (one statement, whatever the depth). */
  private async context(
    repos: Repositories,
    workspaceId: string,
    teamId: number,
    userIds: string[],
    options: { periods?: PeriodStarts; keyId?: number },
  ): Promise<SpendContext> {
    const context = await repos.limits.spendContext(workspaceId, teamId, userIds, options);
    if (options.keyId !== undefined && !context.keyLive) throw new KeyRevoked();
    if (context.chain.length === 0) throw new NotFound("That team no longer exists.");
    return context;
  }

  private valid(event: SpendInput, index: number): Required<SpendInput> {
    // Field names are built only for an error: this runs for every event of every batch.
    if (typeof event.transactionId !== "string" || !event.transactionId || event.transactionId.length > 191) {
      throw new InvalidInput(
        "transactionId is text of 1 to 191 characters.",
        `events[${index}].transactionId`,
      );
    }
    if (!Number.isSafeInteger(event.tokens) || event.tokens < 0 || event.tokens > MAX_TOKENS_PER_EVENT) {
      throw new InvalidInput(
        `tokens is a whole number from 0 to ${MAX_TOKENS_PER_EVENT}.`,
        `events[${index}].tokens`,
      );
    }
    if (typeof event.resource !== "string" || !event.resource || event.resource.length > 191) {
      throw new InvalidInput(
        "resource is text of 1 to 191 characters, like a model name.",
        `events[${index}].resource`,
      );
    }
    const occurredAt = event.occurredAt ?? this.clock.now();
    if (!Number.isSafeInteger(occurredAt) || occurredAt < 0)
      throw new InvalidInput("occurredAt is a time.", `events[${index}].occurredAt`);
    const { transactionId, userId, tokens, resource } = event;
    return { transactionId, userId, tokens, resource, occurredAt };
  }
}

/** A total moved after the batch read it without a lock: it is decided again, with the locks. */
class CountersMoved extends Error {}

/** The workspace's spend version moved since the team's kept context was read: it is read afresh. */
class ContextStale extends Error {}

function periodsAt(at: number, timeZone: string): PeriodStarts {
  return {
    daily: periodStart("daily", at, timeZone),
    weekly: periodStart("weekly", at, timeZone),
    monthly: periodStart("monthly", at, timeZone),
  };
}

function uniqueUsers(events: Required<SpendInput>[]): string[] {
  const users = new Set<string>();
  for (const e of events) users.add(e.userId);
  return [...users];
}
