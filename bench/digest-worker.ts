/**
 * The digest bench's two child processes, so that the figure's memory is the digest build's alone:
 * `seed` makes a fresh bench database of its own (bench-db.ts, named after this process, so the
 * baseline scans only the digest's rows), seeds it, answers { type: "seeded" } and drops it on
 * "drop"; `measure` opens that database and does what the scheduled job does to produce every
 * team's message (DigestService.build 25 teams at a time, then digestMessage for each), beside the
 * plain aggregate query, alternately, and answers { type: "measured" }. Progress goes to the
 * parent as { type: "log" }.
 */
import { openDatabase } from "../src/db/database";
import { createServices } from "../src/services";
import { type Digest, digestWeekEndedBefore } from "../src/services/digest.service";
import { digestMessage, digestNamed } from "../src/slack/blocks/digest.blocks";
import { digestChartInput } from "../src/slack/digest-chart";
import type { Person } from "../src/slack/people";
import { openBenchDatabase } from "./bench-db";
import { type DigestSize, type DigestWorld, seedDigest } from "./digest-seed";

/** Teams per build call in the scheduled job (src/jobs/digest.job.ts leases 25 at a time). */
export const JOB_BATCH = 25;
/**
 * The baseline: the week's tokens and events per team and member, nothing else, read by one scan
 * of the table. Left to itself MariaDB plans this GROUP BY as a walk of the whole (team, user,
 * time) index with a row lookup per entry, about 40 times slower than the scan (110 s against
 * 2.5 s for 2,000,000 events here); the hint keeps the baseline the fast plain query, so the ratio
 * is not flattered. SQLite's own plan is close to the scan; NOT INDEXED is the same hint there.
 */
export function baselineSql(dialect: "sqlite" | "mysql"): string {
  const table = dialect === "mysql" ? "usage_events USE INDEX ()" : "usage_events NOT INDEXED";
  return `SELECT team_id, user_id, SUM(tokens) AS tokens, COUNT(*) AS events FROM ${table} WHERE occurred_at >= ? AND occurred_at < ? GROUP BY team_id, user_id`;
}

export type ToWorker = { type: "drop" };

export interface Measured {
  rounds: number;
  /** Per round, seconds: the job's way (build 25 at a time + Block Kit), and the baseline. */
  job_seconds: number[];
  baseline_seconds: number[];
  /** Median of the rounds' Block Kit rendering inside the job's way. */
  render_seconds: number;
  /** One build call with every team ID (batches of 200 inside), plus Block Kit; median. */
  one_call_seconds: number;
  digests: number;
  /** Members listed across every digest, blocks across every message. */
  members_listed: number;
  blocks: number;
  baseline_rows: number;
  /** Kernel peak RSS of this process after the job-way rounds, after the one-call runs, after charts. */
  rss_mb: number;
  sampled_rss_mb: number;
  one_call_rss_mb: number;
  charts: number;
  chart_first_ms: number;
  chart_ms: number;
  chart_png_kb: number;
  chart_rss_mb: number;
  /** The plans the database chose for the baseline (one line each). */
  baseline_plan: string[];
}

export type FromWorker =
  | { type: "log"; line: string }
  | {
      type: "seeded";
      kind: "sqlite" | "mysql";
      url: string;
      world: DigestWorld;
      seconds: number;
      bufferPoolMb: number | null;
    }
  | { type: "measured"; result: Measured };

const send = (message: FromWorker) => process.send?.(message);
const log = (line: string) => send({ type: "log", line });
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
const kernelPeakMb = () => mb(process.resourceUsage().maxRSS * 1024);

async function seed(size: DigestSize, now: number): Promise<void> {
  const bench = await openBenchDatabase(process.env.BENCH_MYSQL_URL || undefined);
  const dropAndExit = () => void bench.drop().finally(() => process.exit(0));
  process.on("message", (message: ToWorker) => message.type === "drop" && dropAndExit());
  // The bench going away takes the database with it.
  process.on("disconnect", dropAndExit);
  const started = performance.now();
  const world = await seedDigest(bench, size, now, log);
  const seconds = (performance.now() - started) / 1000;
  let bufferPoolMb: number | null = null;
  if (bench.kind === "mysql") {
    const [row] = await bench.db.dataSource.query<{ size: number | string }[]>(
      "SELECT @@innodb_buffer_pool_size AS size",
    );
    bufferPoolMb = mb(Number(row.size));
  }
  send({ type: "seeded", kind: bench.kind, url: bench.url, world, seconds, bufferPoolMb });
}

async function measure(url: string, world: DigestWorld, rounds: number, charts: number): Promise<Measured> {
  let sampled = 0;
  const sample = () => (sampled = Math.max(sampled, process.memoryUsage.rss()));
  const sampler = setInterval(sample, 50);
  const db = await openDatabase(url);
  const clock = { now: () => world.now };
  const services = createServices({
    db,
    clock,
    orgAdmins: [],
    inviteTtlDays: 7,
    timeZone: "UTC",
    workspaceAdminLookup: () => Promise.resolve(false),
  });
  const period = digestWeekEndedBefore(world.now, "UTC");
  // The names the job would fetch with users.info (cached): synthetic people, no Slack.
  const namesFor = (digest: Digest) =>
    new Map<string, Person | null>(digestNamed(digest).map((id) => [id, syntheticPerson(id)]));

  const buildEvery = async (batch: number) => {
    const tally = { digests: 0, members: 0, blocks: 0, renderMs: 0 };
    const started = performance.now();
    for (let i = 0; i < world.teamIds.length; i += batch) {
      const digests = await services.digests.build(
        world.workspaceId,
        world.teamIds.slice(i, i + batch),
        period,
      );
      const rendering = performance.now();
      for (const digest of digests) {
        const { blocks } = digestMessage(digest, namesFor(digest));
        tally.blocks += blocks.length;
        tally.members += digest.members.length;
      }
      tally.renderMs += performance.now() - rendering;
      tally.digests += digests.length;
    }
    return { seconds: (performance.now() - started) / 1000, ...tally };
  };
  const baseline = async () => {
    const started = performance.now();
    const rows = await db.dataSource.query<unknown[]>(baselineSql(db.dialect), [period.from, period.to]);
    return { seconds: (performance.now() - started) / 1000, rows: rows.length };
  };

  try {
    log("digest: warming up (one baseline, one build of every digest)…");
    await baseline();
    const warm = await buildEvery(JOB_BATCH);
    const jobSeconds: number[] = [];
    const baselineSeconds: number[] = [];
    const renderSeconds: number[] = [];
    let baselineRows = 0;
    for (let round = 0; round < rounds; round++) {
      const b = await baseline();
      baselineSeconds.push(b.seconds);
      baselineRows = b.rows;
      const j = await buildEvery(JOB_BATCH);
      jobSeconds.push(j.seconds);
      renderSeconds.push(j.renderMs / 1000);
      log(
        `digest: round ${round + 1}/${rounds}: baseline ${b.seconds.toFixed(2)} s, digests ${j.seconds.toFixed(2)} s`,
      );
    }
    sample();
    const rssMb = kernelPeakMb();
    const sampledMb = mb(sampled);

    log("digest: one build call with every team ID…");
    const oneCall: number[] = [];
    for (let i = 0; i < Math.min(rounds, 2); i++)
      oneCall.push((await buildEvery(world.teamIds.length)).seconds);
    const oneCallRssMb = kernelPeakMb();

    log("digest: rendering charts…");
    const chartTeams = (await services.digests.build(world.workspaceId, world.teamIds.slice(0, 40), period))
      .filter((d) => d.total > 0)
      .slice(0, charts + 1);
    const { renderUsageChart } = await import("../src/charts/usage-chart");
    const chartTimes: number[] = [];
    let pngBytes = 0;
    for (const digest of chartTeams) {
      const input = digestChartInput(digest, namesFor(digest));
      if (!input) continue;
      const started = performance.now();
      pngBytes += (await renderUsageChart(input)).length;
      chartTimes.push(performance.now() - started);
    }
    const [first, ...timed] = chartTimes;

    return {
      rounds,
      job_seconds: jobSeconds.map((s) => round(s, 3)),
      baseline_seconds: baselineSeconds.map((s) => round(s, 3)),
      render_seconds: round(median(renderSeconds), 3),
      one_call_seconds: round(median(oneCall), 3),
      digests: warm.digests,
      members_listed: warm.members,
      blocks: warm.blocks,
      baseline_rows: baselineRows,
      rss_mb: rssMb,
      sampled_rss_mb: sampledMb,
      one_call_rss_mb: oneCallRssMb,
      charts: timed.length,
      chart_first_ms: round(first ?? 0, 1),
      chart_ms: round(median(timed), 1),
      chart_png_kb: Math.round(pngBytes / chartTimes.length / 1024),
      chart_rss_mb: kernelPeakMb(),
      baseline_plan: await explain(db.dataSource.query.bind(db.dataSource), db.dialect, [
        period.from,
        period.to,
      ]),
    };
  } finally {
    clearInterval(sampler);
    await db.close();
  }
}

async function explain(
  query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
  dialect: string,
  params: unknown[],
): Promise<string[]> {
  if (dialect === "mysql") {
    const rows = await query(`EXPLAIN ${baselineSql("mysql")}`, params);
    return rows.map(
      (r) =>
        `${String(r.type)} on ${String(r.key ?? "no index")}, ~${String(r.rows)} rows; ${String(r.Extra ?? "")}`,
    );
  }
  const rows = await query(`EXPLAIN QUERY PLAN ${baselineSql("sqlite")}`, params);
  return rows.map((r) => String(r.detail));
}

function syntheticPerson(id: string): Person {
  return { id, name: `Person ${id.slice(-5)}`, email: null, isAdmin: false, deleted: false, bot: false };
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

if (require.main === module) {
  const mode = process.argv[2];
  const input = JSON.parse(process.env.BENCH_DIGEST_INPUT ?? "{}") as {
    size?: DigestSize;
    now?: number;
    url?: string;
    world?: DigestWorld;
    rounds?: number;
    charts?: number;
  };
  const work =
    mode === "seed" && input.size && input.now
      ? seed(input.size, input.now)
      : mode === "measure" && input.url && input.world && input.rounds && input.charts
        ? measure(input.url, input.world, input.rounds, input.charts).then((result) => {
            send({ type: "measured", result });
            process.disconnect?.();
          })
        : Promise.reject(new Error("usage: digest-worker.ts seed|measure, with BENCH_DIGEST_INPUT"));
  work.catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
