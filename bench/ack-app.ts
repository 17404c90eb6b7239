/**
 * The app under the ack bench, in a process of its own so that its memory and CPU are its alone,
 * not the load generator's: `roster` is createRosterApp in HTTP mode on DATABASE_URL, as
 * `npm start` builds it (its logger on stdout, Web API retries on), less the scheduler, whose
 * five-minute ticks would land at a random point of a run; `bare` is a Bolt app with the same
 * receiver (HTTPReceiver, same signing secret and endpoint) whose one listener only acks.
 *
 * Talks to the bench over IPC: sends { type: "ready", port }, answers "stats" (peak and current
 * RSS, CPU time) and "profile-start"/"profile-stop" (with BENCH_PROFILE=1: a V8 CPU profile and
 * every SQL statement timed), and exits on "stop".
 */
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import type { Server } from "node:http";
import { createRosterApp, type RosterApp } from "../src/app";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { createLogger } from "../src/logger";
import { cpuProfile, type FunctionStat, QueryProfile, type QueryStat } from "./query-profile";

export type ToApp =
  { type: "stats"; resetPeak?: boolean } | { type: "profile-start" | "profile-stop" | "stop" };

export type FromApp =
  | { type: "ready"; port: number }
  | { type: "stats"; peakRssMb: number; maxRssMb: number; rssMb: number; cpuMs: number }
  | { type: "profile"; cpu: FunctionStat[]; queries: QueryStat[] };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set.`);
  return value;
};

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== "roster" && mode !== "bare") throw new Error("usage: ack-app.ts roster|bare");
  const send = (message: FromApp) => process.send?.(message);
  const signingSecret = env("BENCH_SIGNING_SECRET");
  const slackApiUrl = env("BENCH_SLACK_API_URL");
  let stop: () => Promise<void>;
  let port: number;
  let profile: QueryProfile | undefined;

  if (mode === "roster") {
    const config = loadConfig({
      DATABASE_URL: env("BENCH_DATABASE_URL"),
      SLACK_BOT_TOKEN: "xoxb-bench",
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slackApiUrl,
      PORT: "0",
      TIMEZONE: "UTC",
      LOG_LEVEL: "info",
    });
    const db = await openDatabase(config.DATABASE_URL);
    if (process.env.BENCH_PROFILE) profile = new QueryProfile(db.dataSource);
    const roster = createRosterApp({ config, db, logger: createLogger(config.LOG_LEVEL) });
    skipForExperiment(roster, process.env.BENCH_ACK_SKIP);
    port = (await roster.start()).port;
    stop = async () => {
      await roster.stop();
      await db.close();
    };
  } else {
    const receiver = new HTTPReceiver({ signingSecret, endpoints: "/slack/events" });
    const app = new App({
      token: "xoxb-bench",
      receiver,
      clientOptions: { slackApiUrl },
      logLevel: LogLevel.WARN,
    });
    app.command("/team", async ({ ack }) => {
      await ack();
    });
    const server = (await app.start(0)) as Server;
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    stop = () => app.stop().then(() => undefined);
  }

  // The kernel's maxRSS is the whole life's peak; the sampled peak can be reset per phase.
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  setInterval(sample, 50).unref();
  let endProfile: (() => void) | undefined;

  process.on("message", (message: ToApp) => {
    if (message.type === "stats") {
      sample();
      const cpu = process.cpuUsage();
      send({
        type: "stats",
        peakRssMb: mb(peak),
        maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
        rssMb: mb(process.memoryUsage.rss()),
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
      if (message.resetPeak) peak = 0;
    } else if (message.type === "profile-start") {
      profile?.start();
      void cpuProfile(() => new Promise<void>((resolve) => (endProfile = resolve))).then(({ top }) =>
        send({ type: "profile", cpu: top, queries: profile?.stop() ?? [] }),
      );
    } else if (message.type === "profile-stop") {
      endProfile?.();
    } else if (message.type === "stop") {
      void stop().finally(() => process.exit(0));
    }
  });
  // The bench going away takes the app with it.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", port });
}

/**
 * For finding what a command costs, not for the figures: BENCH_ACK_SKIP=home,deliveries,sync
 * turns off the App Home republish after each command, the slack_deliveries row written before
 * it, or the debounced team sync, so a run with and without shows the price of each.
 */
function skipForExperiment(roster: RosterApp, list: string | undefined): void {
  const skip = new Set((list ?? "").split(",").filter(Boolean));
  if (skip.has("home")) roster.deps.home.refreshSoon = () => undefined;
  if (skip.has("deliveries")) roster.services.deliveries.firstTime = () => Promise.resolve(true);
  if (skip.has("sync")) roster.deps.sync.soon = () => undefined;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
