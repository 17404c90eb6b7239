import { systemClock } from "../src/clock";
import { createServices } from "../src/services";
import type { BenchDatabase } from "./bench-db";
import { httpClient, type IngestClient, serviceClient } from "./ingest-clients";
import { seedIngest } from "./ingest-seed";
import { verifyIngest, type LimitCheck } from "./ingest-verify";
import { BATCH, buildWorkload } from "./ingest-workload";
import { plainInserter, type UsageTuple } from "./plain-insert";
import { cpuProfile, type FunctionStat, type QueryStat, QueryProfile } from "./query-profile";

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

const SIZES = {
  quick: { events: 10_000, platformUsers: 100, researchUsers: 50, history: 100_000, checks: 500 },
  full: { events: 100_000, platformUsers: 400, researchUsers: 200, history: 1_000_000, checks: 2_000 },
};

/**
 * SPEC section 8's ingest figure: batches of 500 events through POST /api/v1/usage (or, until it is
 * served, the service behind it) with a member limit, a team default, a team budget and an
 * ancestor budget in force, one batch at a time; beside the same rows inserted by plain multi-row
 * INSERTs on the same database in the same run. Then every limit is recomputed from the rows to
 * prove overspend is 0, and single-event checks are timed.
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

    options.log(`ingest: baseline, ${fmt(size.events)} rows by plain multi-row INSERTs…`);
    const [{ top }] = await db.dataSource.query<{ top: string | number }[]>(
      "SELECT MAX(id) AS top FROM usage_events",
    );
    const inserters = [
      inserter,
      ...(await Promise.all(Array.from({ length: options.concurrency - 1 }, () => plainInserter(bench.url)))),
    ];
    const started = performance.now();
    await inParallel(workload.batches, inserters.length, (batch, _, worker) =>
      inserters[worker].insert(
        batch.events.map((e) =>
          tuple(
            world.owner.workspaceId,
            world.teams[batch.team],
            { ...e, transactionId: `base-${e.transactionId}` },
            t0,
          ),
        ),
      ),
    );
    const baselineSeconds = (performance.now() - started) / 1000;
    await Promise.all(inserters.slice(1).map((i) => i.close()));
    await inserter.exec(`DELETE FROM usage_events WHERE id > ${Number(top)}`);

    options.log(
      `ingest: ${fmt(size.events)} events through ${client.path === "http" ? "POST /api/v1/usage" : "services.usage.record"}…`,
    );
    const tally = { accepted: 0, duplicate: 0, rejected: {} as Record<string, number> };
    let firstTotalRejection: number | null = null;
    const run = async () => {
      const began = performance.now();
      await inParallel(workload.batches, options.concurrency, async (batch, index) => {
        const results = await client.record(batch.team, batch.events, t0);
        results.forEach((r, i) => {
          if (r.status !== "rejected") tally[r.status]++;
          else {
            const reason = r.reason ?? "?";
            tally.rejected[reason] = (tally.rejected[reason] ?? 0) + 1;
            const at = (index * BATCH + i) / size.events;
            if (reason !== "transaction_limit" && (firstTotalRejection === null || at < firstTotalRejection))
              firstTotalRejection = at;
          }
        });
      });
      return (performance.now() - began) / 1000;
    };
    profile?.start();
    const cpu = options.profile ? await cpuProfile(run) : undefined;
    const seconds = cpu ? cpu.result : await run();
    const queries = profile?.stop();

    options.log("ingest: recomputing every limit from the recorded rows…");
    const verified = await verifyIngest(db, world, workload, t0 - 60_000);

    options.log(`ingest: ${fmt(size.checks)} single-event checks…`);
    const timings = await timeChecks(size.checks, workload.users.platform, (u, t) => client.check(u, t));
    const serviceTimings =
      client.path === "http"
        ? await timeChecks(size.checks, workload.users.platform, (u, t) =>
            serviceClient(services, world).check(u, t),
          )
        : undefined;

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
      ...(serviceTimings && {
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

async function timeChecks(
  calls: number,
  users: string[],
  check: (userId: string, tokens: number) => Promise<void>,
): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await check(users[(i * 7) % users.length], 1 + ((i * 37) % 2000));
    timings.push(performance.now() - started);
  }
  return timings;
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const fmt = (n: number) => n.toLocaleString("en-US");
