import { systemClock } from "../src/clock";
import { createServices } from "../src/services";
import type { BenchDatabase } from "./bench-db";
import { httpClient, type IngestClient, serviceClient } from "./ingest-clients";
import { seedIngest } from "./ingest-seed";
import { verifyIngest, type LimitCheck } from "./ingest-verify";
import { BATCH, type BenchBatch, buildWorkload } from "./ingest-workload";
import { plainInserter, type UsageTuple } from "./plain-insert";
import { cpuProfile, type FunctionStat, type QueryStat, QueryProfile } from "./query-profile";
import { fmt } from "./report";

export interface IngestOptions {
  quick: boolean;
  /** Time every statement of the ingest run (slower; the figures then include the timing). */
  profile: boolean;
  /** "service" skips the HTTP API even when it is served. */
  path?: "service" | "http";
  /** Batches in flight at once, for Roster and for the baseline alike (1: one after another). */
  concurrency: number;
  log(line: string): void;
}

export interface IngestResult {
  path: "service" | "http";
  events: number;
  batch_size: number;
  concurrency: number;
  history_events: number;
  seconds: number;
  baseline_seconds: number;
  events_per_s: number;
  baseline_events_per_s: number;
  ratio: number;
  overspend: number;
  transaction_violations: number;
  counters_match: boolean;
  accepted: number;
  duplicate: number;
  rejected: Record<string, number>;
  /** How far into the run (share of events sent) a total limit or budget first refused a spend. */
  first_total_rejection_at: number | null;
  check_calls: number;
  check_p50_ms: number;
  check_p99_ms: number;
  /** The same checks straight on the service, when check_p99_ms went through HTTP. */
  check_service_p50_ms?: number;
  check_service_p99_ms?: number;
  limits: LimitCheck[];
  profile?: QueryStat[];
  cpu_profile?: FunctionStat[];
}

/** Batches of Roster, then of the baseline (or the other way round), in each turn. */
const ROUND = 10;
/** The baseline's copies of the events: the same rows under other transaction IDs. */
const BASELINE_PREFIX = "base-";

const SIZES = {
  quick: { events: 10_000, platformUsers: 100, researchUsers: 50, history: 100_000, checks: 500 },
  full: { events: 100_000, platformUsers: 400, researchUsers: 200, history: 1_000_000, checks: 2_000 },
};

/**
 * SPEC section 8's ingest figure: batches of 500 events through POST /api/v1/usage (or, until it is
 * served, the service behind it) with a member limit, a team default, a team budget and an
 * ancestor budget in force, one batch at a time; beside the same rows inserted by plain multi-row
 * INSERTs on the same database in the same run, the two taking turns so that both meet the same
 * conditions (this machine is shared). Then every limit is recomputed from the rows to prove
 * overspend is 0, and single-event checks are timed.
 */
export async function benchIngest(bench: BenchDatabase, options: IngestOptions): Promise<IngestResult> {
  const size = options.quick ? SIZES.quick : SIZES.full;
  const { db } = bench;
  const t0 = Date.now();
  const workload = buildWorkload(size.events, size.platformUsers, size.researchUsers);
  const services = createServices({
    db,
    clock: systemClock,
    orgAdmins: [],
    inviteTtlDays: 7,
    timeZone: "UTC",
    workspaceAdminLookup: () => Promise.resolve(false),
  });
  const inserter = await plainInserter(bench.url);
  const profile = options.profile ? new QueryProfile(db.dataSource) : undefined;
  options.log(
    `ingest: seeding ${fmt(size.history)} past events and ${fmt(size.platformUsers + size.researchUsers)} members…`,
  );
  const world = await seedIngest(db, services, inserter, workload, size.history, t0);
  const client: IngestClient =
    (options.path !== "service" ? await httpClient(db, world, options.concurrency) : null) ??
    serviceClient(services, world);

  try {
    if (options.path === "http" && client.path !== "http")
      throw new Error("POST /api/v1/usage is not served yet.");
    options.log(`ingest: warming up (${client.path})…`);
    const warm = (n: number, prefix: string) =>
      Array.from({ length: BATCH }, (_, i) => ({
        transactionId: `${prefix}-${n}-${i}`,
        userId: world.owner.userId,
        tokens: 1,
        resource: "warmup",
      }));
    for (let n = 0; n < 3; n++) {
      await client.record("warmup", warm(n, "warm"), t0);
      await inserter.insert(
        warm(n, "warm-base").map((e) => tuple(world.owner.workspaceId, world.teams.warmup, e, t0)),
      );
    }
    for (let i = 0; i < 100; i++)
      await client.check(workload.users.platform[i % workload.users.platform.length], 10);

    options.log(
      `ingest: ${fmt(size.events)} events through ${client.path === "http" ? "POST /api/v1/usage" : "services.usage.record"}, and the same rows by plain multi-row INSERTs, ${ROUND} batches of each in turn…`,
    );
    const inserters = [
      inserter,
      ...(await Promise.all(Array.from({ length: options.concurrency - 1 }, () => plainInserter(bench.url)))),
    ];
    const tally = { accepted: 0, duplicate: 0, rejected: {} as Record<string, number> };
    let firstTotalRejection: number | null = null;
    const baselineRound = (batches: BenchBatch[]) =>
      inParallel(batches, inserters.length, (batch, _, worker) =>
        inserters[worker].insert(
          batch.events.map((e) =>
            tuple(
              world.owner.workspaceId,
              world.teams[batch.team],
              { ...e, transactionId: `${BASELINE_PREFIX}${e.transactionId}` },
              t0,
            ),
          ),
        ),
      );
    const rosterRound = (batches: BenchBatch[], first: number) =>
      inParallel(batches, options.concurrency, async (batch, i) => {
        const index = first + i;
        const results = await client.record(batch.team, batch.events, t0);
        results.forEach((r, j) => {
          if (r.status !== "rejected") tally[r.status]++;
          else {
            const reason = r.reason ?? "?";
            tally.rejected[reason] = (tally.rejected[reason] ?? 0) + 1;
            const at = (index * BATCH + j) / size.events;
            if (reason !== "transaction_limit" && (firstTotalRejection === null || at < firstTotalRejection))
              firstTotalRejection = at;
          }
        });
      });
    // The baseline and Roster take turns, ROUND batches at a time (the first in turn alternating),
    // so both meet the same table, the same caches and whatever else this machine is doing then.
    const run = async () => {
      const spent = { baseline: 0, roster: 0 };
      const timed = async (which: keyof typeof spent, work: () => Promise<void>) => {
        const began = performance.now();
        await work();
        spent[which] += performance.now() - began;
      };
      for (let first = 0, turn = 0; first < workload.batches.length; first += ROUND, turn++) {
        const batches = workload.batches.slice(first, first + ROUND);
        const baseline = () => timed("baseline", () => baselineRound(batches));
        const roster = () => timed("roster", () => rosterRound(batches, first));
        if (turn % 2 === 0) await baseline().then(roster);
        else await roster().then(baseline);
      }
      return { seconds: spent.roster / 1000, baselineSeconds: spent.baseline / 1000 };
    };
    profile?.start();
    const cpu = options.profile ? await cpuProfile(run) : undefined;
    const { seconds, baselineSeconds } = cpu ? cpu.result : await run();
    const queries = profile?.stop();
    await Promise.all(inserters.slice(1).map((i) => i.close()));
    // The baseline's rows go before Roster's are checked (a range of the unique index: fast on both).
    await inserter.exec(
      `DELETE FROM usage_events WHERE team_id IN (${world.teams.platform}, ${world.teams.research}) AND transaction_id >= '${BASELINE_PREFIX}' AND transaction_id < '${BASELINE_PREFIX.slice(0, -1)}.'`,
    );

    options.log("ingest: recomputing every limit from the recorded rows…");
    const verified = await verifyIngest(db, world, workload, t0 - 60_000);

    options.log(`ingest: ${fmt(size.checks)} single-event checks…`);
    // Over HTTP and, in turn, straight on the service: each pair meets the same moment.
    const direct = client.path === "http" ? serviceClient(services, world) : undefined;
    const timings: number[] = [];
    const serviceTimings: number[] = [];
    const users = workload.users.platform;
    for (let i = 0; i < size.checks; i++) {
      const user = users[(i * 7) % users.length];
      const tokens = 1 + ((i * 37) % 2000);
      timings.push(await timed(() => client.check(user, tokens)));
      if (direct) serviceTimings.push(await timed(() => direct.check(user, tokens)));
    }

    const eventsPerSecond = size.events / seconds;
    const baselinePerSecond = size.events / baselineSeconds;
    return {
      path: client.path,
      events: size.events,
      batch_size: BATCH,
      concurrency: options.concurrency,
      history_events: size.history,
      seconds: round(seconds, 2),
      baseline_seconds: round(baselineSeconds, 2),
      events_per_s: Math.round(eventsPerSecond),
      baseline_events_per_s: Math.round(baselinePerSecond),
      ratio: round(eventsPerSecond / baselinePerSecond, 3),
      overspend: verified.overspend,
      transaction_violations: verified.transactionViolations,
      counters_match: verified.countersMatch,
      ...tally,
      first_total_rejection_at: firstTotalRejection === null ? null : round(firstTotalRejection, 3),
      check_calls: size.checks,
      check_p50_ms: round(percentile(timings, 0.5), 2),
      check_p99_ms: round(percentile(timings, 0.99), 2),
      ...(direct && {
        check_service_p50_ms: round(percentile(serviceTimings, 0.5), 2),
        check_service_p99_ms: round(percentile(serviceTimings, 0.99), 2),
      }),
      limits: verified.checks,
      ...(queries && { profile: queries.map((q) => ({ ...q, totalMs: round(q.totalMs, 1) })) }),
      ...(cpu && { cpu_profile: cpu.top }),
    };
  } finally {
    await client.close();
    await inserter.close();
  }
}

/** Runs `work` on every item, `workers` at a time, each worker taking the next item in order. */
async function inParallel<T>(
  items: T[],
  workers: number,
  work: (item: T, index: number, worker: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index, worker);
      }
    }),
  );
}

function tuple(
  workspaceId: string,
  teamId: number,
  e: { transactionId: string; userId: string; tokens: number; resource: string },
  at: number,
): UsageTuple {
  return [workspaceId, teamId, e.userId, e.tokens, e.resource, e.transactionId, at, Date.now()];
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
