import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { DigestSize } from "./digest-seed";
import { baselineSql, type FromWorker, JOB_BATCH, median, type ToWorker } from "./digest-worker";
import { type BenchRow, fmt } from "./report";

export interface DigestOptions {
  quick: boolean;
  log(line: string): void;
}

export interface DigestResult {
  teams: number;
  members: number;
  events: number;
  /** Medians over the rounds: every digest the job's way (build + Block Kit), and the baseline. */
  seconds: number;
  baseline_seconds: number;
  ratio: number;
  /** Peak RSS (kernel maxRSS) of the process that built the digests, up to the end of the rounds. */
  rss_mb: number;
  rounds: number;
  job_batch: number;
  /** Every round, so a reader sees the spread and not only the median. */
  round_seconds: number[];
  round_baseline_seconds: number[];
  /** Block Kit (digestMessage for each team) inside `seconds`. */
  render_seconds: number;
  /** One build call with every team ID (DigestService's own batches of 200), plus Block Kit. */
  one_call_seconds: number;
  one_call_ratio: number;
  one_call_rss_mb: number;
  /** The highest RSS the 50 ms sampler saw during the rounds. */
  sampled_rss_mb: number;
  digests: number;
  members_listed: number;
  blocks: number;
  /** Events in the week the digest reports, and the rows the baseline returns. */
  week_events: number;
  baseline: string;
  baseline_rows: number;
  baseline_plan: string[];
  limits: number;
  counters: number;
  invitations: number;
  requests: number;
  seed_seconds: number;
  /** Charts are rendered at delivery, one per team: measured apart from the figure. */
  charts: number;
  chart_ms: number;
  chart_first_ms: number;
  chart_png_kb: number;
  chart_rss_mb: number;
  innodb_buffer_pool_mb: number | null;
}

const SIZES: Record<"quick" | "full", DigestSize> = {
  quick: { teams: 100, members: 2_500, people: 2_000, events: 100_000 },
  full: { teams: 2_000, members: 50_000, people: 40_000, events: 2_000_000 },
};
const ROUNDS = { quick: 3, full: 5 };
/** Charts timed (after one that loads vega and the fonts). */
const CHARTS = { quick: 5, full: 20 };
/** Monday 09:00 UTC, when DIGEST_CRON's default fires: the digest covers the week just ended. */
const NOW = Date.UTC(2026, 2, 16, 9, 0, 0);

/**
 * SPEC section 8's digest figure: every team's weekly digest for a large organisation, built the
 * way the scheduled job builds it (DigestService.build for 25 teams at a time, then the Block Kit
 * of each message), beside one plain aggregate query over the same rows (the week's tokens per
 * team and member), run alternately, warm, several rounds, medians compared. The organisation
 * lives in a database of its own (see digest-worker.ts), and the build runs in a process of its
 * own whose peak RSS is the figure's memory.
 */
export async function benchDigest(options: DigestOptions): Promise<DigestResult> {
  const size = options.quick ? SIZES.quick : SIZES.full;
  const rounds = options.quick ? ROUNDS.quick : ROUNDS.full;
  options.log(
    `digest: seeding ${fmt(size.teams)} teams, ${fmt(size.members)} members and ${fmt(size.events)} usage events in a database of its own…`,
  );
  const seeder = Worker.start("seed", { size, now: NOW }, options.log);
  try {
    const seeded = await seeder.wait("seeded");
    options.log(`digest: seeded in ${seeded.seconds.toFixed(1)} s`);
    const charts = options.quick ? CHARTS.quick : CHARTS.full;
    const measurer = Worker.start(
      "measure",
      { url: seeded.url, world: seeded.world, rounds, charts },
      options.log,
    );
    const { result: m } = await measurer.wait("measured");
    const seconds = median(m.job_seconds);
    const baselineSeconds = median(m.baseline_seconds);
    const { world } = seeded;
    return {
      teams: size.teams,
      members: size.members,
      events: size.events,
      seconds: round(seconds, 3),
      baseline_seconds: round(baselineSeconds, 3),
      ratio: round(seconds / baselineSeconds, 2),
      rss_mb: m.rss_mb,
      rounds,
      job_batch: JOB_BATCH,
      round_seconds: m.job_seconds,
      round_baseline_seconds: m.baseline_seconds,
      render_seconds: m.render_seconds,
      one_call_seconds: m.one_call_seconds,
      one_call_ratio: round(m.one_call_seconds / baselineSeconds, 2),
      one_call_rss_mb: m.one_call_rss_mb,
      sampled_rss_mb: m.sampled_rss_mb,
      digests: m.digests,
      members_listed: m.members_listed,
      blocks: m.blocks,
      week_events: world.weekEvents,
      baseline: baselineSql(seeded.kind),
      baseline_rows: m.baseline_rows,
      baseline_plan: m.baseline_plan,
      limits: world.limits,
      counters: world.counters,
      invitations: world.invitations,
      requests: world.requests,
      seed_seconds: round(seeded.seconds, 1),
      charts: m.charts,
      chart_ms: m.chart_ms,
      chart_first_ms: m.chart_first_ms,
      chart_png_kb: m.chart_png_kb,
      chart_rss_mb: m.chart_rss_mb,
      innodb_buffer_pool_mb: seeded.bufferPoolMb,
    };
  } finally {
    await seeder.stop();
  }
}

/** A digest-worker.ts child: its stderr kept for the error if it dies. */
class Worker {
  private readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
  }

  static start(mode: "seed" | "measure", input: object, log: (line: string) => void): Worker {
    const child = fork(path.join(__dirname, "digest-worker.ts"), [mode], {
      cwd: path.join(__dirname, ".."),
      execArgv: ["--import", "tsx"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...(process.env.BENCH_MYSQL_URL && { BENCH_MYSQL_URL: process.env.BENCH_MYSQL_URL }),
        BENCH_DIGEST_INPUT: JSON.stringify(input),
      },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    child.on("message", (message: FromWorker) => message.type === "log" && log(message.line));
    return new Worker(child);
  }

  wait<K extends FromWorker["type"]>(type: K): Promise<Extract<FromWorker, { type: K }>> {
    return new Promise((resolve, reject) => {
      const died = (code: number | null) =>
        reject(new Error(`the digest bench's child exited (${code}):\n${this.stderr.join("")}`));
      const listener = (message: FromWorker) => {
        if (message.type !== type) return;
        this.child.off("message", listener);
        this.child.off("exit", died);
        resolve(message as Extract<FromWorker, { type: K }>);
      };
      this.child.on("message", listener);
      this.child.once("exit", died);
    });
  }

  /** Asks the seeder to drop its database and waits for it to go. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    if (this.child.connected) this.child.send({ type: "drop" } satisfies ToWorker);
    else this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The figure's rows in `npm run bench`'s table. */
export function digestRows(d: DigestResult): BenchRow[] {
  return [
    {
      figure: `digest (${fmt(d.teams)} teams)`,
      measured: `${d.seconds} s to build and render every digest`,
      baseline: `plain GROUP BY over the week: ${d.baseline_seconds} s`,
      ratio: `${d.ratio.toFixed(2)}×`,
      target: "≤ 3× baseline",
      met: d.ratio <= 3,
    },
    {
      figure: "digest memory",
      measured: `${d.rss_mb} MB peak RSS`,
      baseline: "—",
      ratio: "—",
      target: "< 300 MB",
      met: d.rss_mb < 300,
    },
  ];
}

/** What the table leaves out: the organisation, the rounds, the other ways of building, charts. */
export function digestLines(d: DigestResult): string[] {
  return [
    "",
    `digest: ${fmt(d.teams)} teams (${fmt(d.digests)} digests), ${fmt(d.members)} members, ${fmt(d.events)} usage events over 5 weeks (${fmt(d.week_events)} in the week reported), ${fmt(d.limits)} limits, ${fmt(d.counters)} running totals, ${fmt(d.invitations)} invitations, ${fmt(d.requests)} requests; seeded in ${d.seed_seconds} s (not in the figure)`,
    `  measured: DigestService.build for ${d.job_batch} teams at a time, as the scheduled job calls it, then digestMessage for each (${fmt(d.members_listed)} member lines, ${fmt(d.blocks)} blocks; Block Kit ${d.render_seconds} s of it); names from a synthetic directory, no Slack`,
    `  baseline: ${d.baseline} over the week the digests report (${fmt(d.baseline_rows)} rows); plan: ${d.baseline_plan.join(" / ")}`,
    `  ${d.rounds} rounds after a warm-up, baseline and digests alternately; medians. Digests: ${d.round_seconds.join(", ")} s; baseline: ${d.round_baseline_seconds.join(", ")} s`,
    `  one build call with every team ID (200 a statement batch): ${d.one_call_seconds} s (${d.one_call_ratio}× baseline), peak RSS ${d.one_call_rss_mb} MB`,
    `  peak RSS of the building process: ${d.rss_mb} MB (kernel maxRSS, its whole life up to the end of the rounds; the 50 ms sampler saw ${d.sampled_rss_mb} MB)`,
    `  charts, not in the figure (rendered at delivery, one per team, while Slack's 1 message/s/channel and upload limits pace the posts): ${d.chart_ms} ms per chart (median of ${d.charts}; the first, loading vega and fonts, ${d.chart_first_ms} ms), ${d.chart_png_kb} KB PNG each; peak RSS after them ${d.chart_rss_mb} MB`,
    ...(d.innodb_buffer_pool_mb !== null
      ? [`  MariaDB innodb_buffer_pool_size: ${d.innodb_buffer_pool_mb} MB (left as the server has it)`]
      : []),
  ];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
