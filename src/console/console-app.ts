import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createRosterApp } from "../app";
import { loadConfig, type Config } from "../config";
import { openDatabase } from "../db/database";
import { createLogger } from "../logger";
import { SlackStandIn } from "../stand-in/slack-stand-in";
import { seedWorkspace } from "./people";
import { Session } from "./session";

export interface ConsoleApp {
  session: Session;
  /** Slack, as the app sees it: its directory, and every call the app made. */
  standIn: SlackStandIn;
  config: Config;
  /** Migrations applied at start. */
  applied: string[];
  close(): Promise<void>;
}

/**
 * The real app in HTTP mode on a free port, its Slack replaced by the stand-in (with the demo
 * people in its directory), on DATABASE_URL after pending migrations; and a Session that drives it.
 */
export async function startConsole(options: {
  env: NodeJS.ProcessEnv;
  color: boolean;
  print(text: string): void;
  quietMs?: number;
}): Promise<ConsoleApp> {
  const standIn = new SlackStandIn();
  await standIn.start();
  seedWorkspace(standIn);
  const signingSecret = randomBytes(16).toString("hex");
  const config = loadConfig({
    ...options.env,
    SLACK_BOT_TOKEN: "xoxb-console",
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: standIn.apiUrl,
    // Socket Mode would take the requests away from the stand-in.
    SLACK_APP_TOKEN: undefined,
    PORT: "0",
    LOG_LEVEL: options.env.LOG_LEVEL ?? "silent",
  });
  // Logs go to stderr, so they never land in the middle of what the user reads.
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  if (config.DATABASE_URL.startsWith("sqlite:")) {
    mkdirSync(path.dirname(path.resolve(config.DATABASE_URL.slice("sqlite:".length))), { recursive: true });
  }
  const db = await openDatabase(config.DATABASE_URL);
  const applied = await db.migrate();
  const roster = createRosterApp({ config, db, logger, slackRetries: 0 });
  const { port } = await roster.start();
  // No scheduler here (src/jobs/scheduler.ts), on purpose. The console may share DATABASE_URL with
  // a running bot (it reads the same .env), and the database hands each expiry and escalation to
  // whichever process asks first: the console would win some and deliver their DMs to the stand-in,
  // where no real person sees them. Nothing is lost for a demo: the TTLs run in days and hours of
  // the wall clock, so a short interval would find nothing to do.
  const session = new Session({
    standIn,
    appUrl: `http://127.0.0.1:${port}/slack/events`,
    signingSecret,
    color: options.color,
    print: options.print,
    quietMs: options.quietMs,
  });
  return {
    session,
    standIn,
    config,
    applied,
    async close() {
      session.close();
      await roster.stop();
      await standIn.stop();
      await db.close();
    },
  };
}
