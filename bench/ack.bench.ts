import os from "node:os";
import { SlackStandIn } from "../src/stand-in/slack-stand-in";
import { closedRun, pacedRun, type Sample, SlashSender } from "./ack-load";
import { type AckWorld, seedAck } from "./ack-seed";
import { AppProcess } from "./ack-process";
import type { BenchDatabase } from "./bench-db";
import type { FunctionStat, QueryStat } from "./query-profile";
import { fmt } from "./report";

export { ackLines, ackRows } from "./ack-report";

export interface AckOptions {
  quick: boolean;
  /** After the measured runs, one more saturation run of Roster with its CPU and SQL profiled. */
  profile: boolean;
  log(line: string): void;
}

export interface AckResult {
  /** Commands per second in the paced runs. */
  rate: number;
  paced_seconds: number;
  /** Roster at the paced rate: time to the HTTP 200 (the ack). */
  p50_ms: number;
  p99_ms: number;
  /** Roster at the paced rate: time to the user's reply (the ack body, or the response_url post). */
  reply_p50_ms: number;
  reply_p99_ms: number;
  /** The bare app at the same rate: time to its 200, which is all it answers. */
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  /** reply_p99_ms / baseline_p99_ms: the user's wait, not just the ack's. */
  p99_ratio: number;
  /** p99_ms / baseline_p99_ms. */
  ack_p99_ratio: number;
  saturation_senders: number;
  saturation_seconds: number;
  /** Good replies per second at saturation (closed loop), beside the bare app's acks per second. */
  throughput: number;
  baseline_throughput: number;
  throughput_ratio: number;
  saturation_reply_p50_ms: number;
  saturation_reply_p99_ms: number;
  baseline_saturation_p99_ms: number;
  /** Peak RSS of Roster's process over its life (kernel maxRSS), and sampled per load. */
  rss_mb: number;
  paced_rss_mb: number;
  saturation_rss_mb: number;
  baseline_rss_mb: number;
  /** Replies that came through the response_url after an empty ack, and replies that never came. */
  replies_after_ack: number;
  missing_replies: number;
  /** Replies that were a refusal or an apology instead of the answer, and non-200 answers. */
  bad_replies: number;
  /** What the bad replies were (HTTP status, or the start of the sentence), with how many of each. */
  bad_reply_kinds: Record<string, number>;
  /** Acks after Slack's 3 seconds: Slack would have shown the user an error (measured runs). */
  late_acks: number;
  /** Warnings and errors Roster logged during the bench. */
  app_log_problems: number;
  /** How late the paced requests left against their schedule (the generator's own delay). */
  generator_lag_p99_ms: number;
  /** CPU use (% of one core) at saturation: the bench process (load + Slack stand-in) and the app. */
  cpu_pct: { bench_vs_bare: number; bare: number; bench_vs_roster: number; roster: number };
  /** The app's own CPU time per command at saturation: steadier than latency on a shared machine. */
  cpu_ms_per_command: number;
  baseline_cpu_ms_per_command: number;
  /** Web API calls Roster made per command at saturation (App Home publishes, users.info…). */
  slack_calls_per_command: Record<string, number>;
  /** How long Roster kept working after the paced run's last request (its backlog, then Home publishes). */
  busy_after_paced_s: number;
  /** The 1-minute load average before and after the bench: other work on the machine. */
  load_average: [number, number];
  members: number;
  usage_events: number;
  commands: string[];
  profile?: { cpu: FunctionStat[]; queries: QueryStat[] };
  /** Set when BENCH_ACK_SKIP turned part of Roster off: then the figures are an experiment's. */
  experiment_skip?: string;
}

const SIGNING_SECRET = "bench-signing-secret-0123456789";
const SIZES = {
  // Member counts not divisible by 3, so each sender takes every command in turn.
  quick: { rate: 100, paced: 5, saturation: 3, members: 250, events: 20_000 },
  full: { rate: 100, paced: 30, saturation: 15, members: 1000, events: 20_000 },
};
const SENDERS = 16;
const SETTLE_MS = 1000;
/** Slack gives up on an ack after 3 seconds. */
const SLACK_ACK_MS = 3000;

/**
 * SPEC section 8's ack figure: signed `/team info|members|usage` commands, round-robin over the
 * members of a seeded team, at a fixed rate (open loop) and at saturation (closed loop on the
 * reply), against Roster (createRosterApp in HTTP mode on the bench database, Slack's Web API the
 * stand-in) and against a bare Bolt app with the same receiver that only acks. Each app runs in a
 * child process of its own; this process is the load generator and the Slack stand-in.
 * BENCH_ACK_RATE=<n> paces at n/s instead of SPEC's 100/s (e.g. to see latency below overload).
 */
export async function benchAck(bench: BenchDatabase, options: AckOptions): Promise<AckResult> {
  const rate = Number(process.env.BENCH_ACK_RATE || 100);
  if (!Number.isInteger(rate) || rate < 1 || rate > 10_000)
    throw new Error("BENCH_ACK_RATE is a whole number of commands per second, from 1 to 10000.");
  const size = { ...(options.quick ? SIZES.quick : SIZES.full), rate };
  // See bench/ack-app.ts: an experiment that turns parts of Roster off, never a figure to report.
  const skipped = process.env.BENCH_ACK_SKIP || undefined;
  if (skipped) options.log(`ack: BENCH_ACK_SKIP=${skipped}: Roster runs without part of its work`);
  const slack = new SlackStandIn({ workspaceId: "TBENCHACK1" });
  await slack.start();
  const apps: AppProcess[] = [];
  const senders: SlashSender[] = [];
  try {
    options.log(`ack: seeding a team of ${fmt(size.members)} members and ${fmt(size.events)} usage events…`);
    const world = await seedAck(bench.db, slack, size);
    const env = {
      BENCH_SIGNING_SECRET: SIGNING_SECRET,
      BENCH_SLACK_API_URL: slack.apiUrl,
      BENCH_DATABASE_URL: bench.url,
      ...(options.profile && { BENCH_PROFILE: "1" }),
      ...(skipped && { BENCH_ACK_SKIP: skipped }),
    };
    const [roster, bare] = await Promise.all([
      AppProcess.start("roster", env),
      AppProcess.start("bare", env),
    ]);
    apps.push(roster, bare);
    const sender = (app: AppProcess, expectsReply: boolean) => {
      const s = new SlashSender({
        port: app.port,
        signingSecret: SIGNING_SECRET,
        slack,
        workspaceId: world.workspaceId,
        expectsReply,
      });
      senders.push(s);
      return s;
    };
    const toRoster = command(world, sender(roster, true));
    const toBare = command(world, sender(bare, false));

    // Every sender once: JIT, connections, and the five-minute users.info cache, as in steady use.
    options.log(`ack: warming up (${fmt(world.senders.length)} commands to each app)…`);
    await closedUntil(world.senders.length, toRoster);
    await closedUntil(world.senders.length, toBare);
    await settle(slack, roster);

    const loadBefore = os.loadavg()[0];
    options.log(`ack: ${size.rate}/s for ${size.paced} s to the bare app, then to Roster…`);
    const barePaced = await pacedRun(size.rate, size.paced, toBare);
    await settle(slack, bare);
    await roster.stats(true);
    const rosterPaced = await pacedRun(size.rate, size.paced, toRoster);
    const pacedStats = await roster.stats(true);
    const afterPaced = await settle(slack, roster);
    if (afterPaced.busySeconds > 5)
      options.log(
        `ack: Roster was still working through the paced run's commands ${afterPaced.busySeconds} s after it`,
      );

    options.log(`ack: saturation, ${SENDERS} senders for ${size.saturation} s each…`);
    const bareSat = await measured(bare, () => closedRun(SENDERS, size.saturation, toBare));
    await settle(slack, bare);
    await roster.stats(true);
    const rosterSat = await measured(roster, () => closedRun(SENDERS, size.saturation, toRoster));
    const satStats = await roster.stats(true);
    const { calls: satCalls } = await settle(slack, roster);

    let profile: AckResult["profile"];
    if (options.profile) {
      options.log("ack: one more saturation run of Roster, profiled…");
      profile = await roster.profile(() => closedRun(SENDERS, size.saturation, toRoster));
      await settle(slack, roster);
    }
    const rosterFinal = await roster.stats();
    const bareFinal = await bare.stats();

    const all = [...rosterPaced.samples, ...rosterSat.run.samples];
    const replies = (samples: Sample[]) => samples.flatMap((s) => (s.replyMs === null ? [] : [s.replyMs]));
    const acks = (samples: Sample[]) => samples.map((s) => s.ackMs);
    const p = (values: number[], q: number) => round(percentile(values, q), 2);
    const result: AckResult = {
      rate: size.rate,
      paced_seconds: size.paced,
      p50_ms: p(acks(rosterPaced.samples), 0.5),
      p99_ms: p(acks(rosterPaced.samples), 0.99),
      reply_p50_ms: p(replies(rosterPaced.samples), 0.5),
      reply_p99_ms: p(replies(rosterPaced.samples), 0.99),
      baseline_p50_ms: p(acks(barePaced.samples), 0.5),
      baseline_p99_ms: p(acks(barePaced.samples), 0.99),
      p99_ratio: 0,
      ack_p99_ratio: 0,
      saturation_senders: SENDERS,
      saturation_seconds: size.saturation,
      throughput: Math.round(rosterSat.run.completed / size.saturation),
      baseline_throughput: Math.round(bareSat.run.completed / size.saturation),
      throughput_ratio: round(rosterSat.run.completed / Math.max(1, bareSat.run.completed), 3),
      saturation_reply_p50_ms: p(replies(rosterSat.run.samples), 0.5),
      saturation_reply_p99_ms: p(replies(rosterSat.run.samples), 0.99),
      baseline_saturation_p99_ms: p(acks(bareSat.run.samples), 0.99),
      rss_mb: rosterFinal.maxRssMb,
      paced_rss_mb: pacedStats.peakRssMb,
      saturation_rss_mb: satStats.peakRssMb,
      baseline_rss_mb: bareFinal.maxRssMb,
      replies_after_ack: all.filter((s) => s.replyMs !== null && !s.inAck).length,
      missing_replies: all.filter((s) => s.replyMs === null).length,
      bad_replies: all.filter((s) => s.replyMs !== null && !s.ok).length,
      late_acks: all.filter((s) => s.ackMs > SLACK_ACK_MS).length,
      bad_reply_kinds: countBy(all.flatMap((s) => (s.problem ? [s.problem] : []))),
      app_log_problems: roster.problems.length,
      generator_lag_p99_ms: p([...barePaced.lagMs, ...rosterPaced.lagMs], 0.99),
      cpu_pct: {
        bench_vs_bare: bareSat.benchCpuPct,
        bare: bareSat.appCpuPct,
        bench_vs_roster: rosterSat.benchCpuPct,
        roster: rosterSat.appCpuPct,
      },
      cpu_ms_per_command: round(rosterSat.appCpuMs / rosterSat.run.samples.length, 2),
      baseline_cpu_ms_per_command: round(bareSat.appCpuMs / bareSat.run.samples.length, 2),
      slack_calls_per_command: Object.fromEntries(
        Object.entries(satCalls).map(([method, n]) => [method, round(n / rosterSat.run.samples.length, 2)]),
      ),
      busy_after_paced_s: afterPaced.busySeconds,
      load_average: [round(loadBefore, 1), round(os.loadavg()[0], 1)],
      members: world.members,
      usage_events: world.events,
      commands: COMMANDS.map((c) => `/team ${c} ${world.team}`),
      ...(profile && { profile }),
      ...(skipped && { experiment_skip: skipped }),
    };
    result.p99_ratio = round(result.reply_p99_ms / result.baseline_p99_ms, 2);
    result.ack_p99_ratio = round(result.p99_ms / result.baseline_p99_ms, 2);
    const problems = new Map<string, number>();
    for (const line of roster.problems) problems.set(line, (problems.get(line) ?? 0) + 1);
    for (const [line, n] of problems) options.log(`ack: Roster logged ${fmt(n)}×: ${line}`);
    return result;
  } finally {
    for (const s of senders) s.close();
    await Promise.all(apps.map((app) => app.stop()));
    await slack.stop();
  }
}

const COMMANDS = ["info", "members", "usage"] as const;

/** Request i: the i-th command in turn, from the i-th sender in turn. */
function command(world: AckWorld, sender: SlashSender) {
  return (i: number) =>
    sender.send(world.senders[i % world.senders.length], `${COMMANDS[i % COMMANDS.length]} ${world.team}`);
}

async function closedUntil(count: number, send: (i: number) => Promise<Sample>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

/**
 * Lets the app finish the last run's work (App Home publishes, and under overload the backlog of
 * commands still queued) before the next run starts, then forgets the stand-in's calls. "Finished"
 * is under 10% of a core for half a second; three minutes at most. Returns the calls by method
 * and how long the app stayed busy after the run.
 */
async function settle(
  slack: SlackStandIn,
  app: AppProcess,
): Promise<{ calls: Record<string, number>; busySeconds: number }> {
  const started = performance.now();
  await sleep(SETTLE_MS);
  const deadline = started + 180_000;
  let before = await app.stats();
  for (let idle = false; !idle && performance.now() < deadline;) {
    await sleep(500);
    const after = await app.stats();
    idle = after.cpuMs - before.cpuMs < 50;
    before = after;
  }
  const calls: Record<string, number> = {};
  for (const call of slack.calls) calls[call.method] = (calls[call.method] ?? 0) + 1;
  slack.clear();
  return { calls, busySeconds: round((performance.now() - started) / 1000, 1) };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work`, measuring this process's and the app's CPU use meanwhile (% of one core). */
async function measured<T>(app: AppProcess, work: () => Promise<T>) {
  const before = await app.stats();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await work();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const after = await app.stats();
  return {
    run,
    benchCpuPct: Math.round(((used.user + used.system) / 1000 / wall) * 100),
    appCpuPct: Math.round(((after.cpuMs - before.cpuMs) / wall) * 100),
    appCpuMs: after.cpuMs - before.cpuMs,
  };
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
