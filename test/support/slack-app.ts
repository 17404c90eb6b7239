import { createRosterApp, type RosterApp } from "../../src/app";
import type { DigestJobOptions } from "../../src/jobs/digest.job";
import { ManualClock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import type { Database } from "../../src/db/database";
import { createLogger } from "../../src/logger";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import * as payloads from "../../src/stand-in/slack-payloads";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";
import { newWorkspaceId } from "./databases";

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";

export interface SlackWorld {
  /** The database the app runs on. */
  db: Database;
  roster: RosterApp;
  slack: SlackStandIn;
  /** The app's log lines (JSON), for tests of what gets logged. */
  logs: string[];
  clock: ManualClock;
  workspaceId: string;
  url: string;
  /** Sends `/team <text>` as `userId`, signed as Slack signs it; returns the HTTP answer. */
  command(userId: string, text: string, options?: { channelId?: string }): Promise<SlackAnswer>;
  /** Presses a button `actionId` with `value` as `userId`. */
  press(
    userId: string,
    actionId: string,
    value: string,
    message?: { ts: string; channel: string },
  ): Promise<SlackAnswer>;
  /** Adds a person to the stand-in's directory; returns their ID. */
  person(id: string, options?: { admin?: boolean; email?: string }): string;
  close(): Promise<void>;
}

export interface SlackAnswer {
  status: number;
  /** The ack body's text (the reply, when it came within the ack). */
  text: string;
  json?: {
    text?: string;
    blocks?: unknown[];
    response_type?: string;
    response_action?: string;
    errors?: Record<string, string>;
  };
}

/**
 * The real app in HTTP mode on a free port, talking to a local Slack stand-in, on `db`. With
 * `sameWorkspaceAs`, a second copy of the bot (its own process state, port and Web API client) for
 * that world's workspace, stand-in and clock: two processes behind one load balancer.
 */
export async function slackWorld(
  db: Database,
  options: {
    orgAdmins?: string[];
    sameWorkspaceAs?: SlackWorld;
    digest?: DigestJobOptions;
    /** WebClient's retries (production: 10); off by default so a failure shows at once. */
    slackRetries?: number;
  } = {},
): Promise<SlackWorld> {
  const shared = options.sameWorkspaceAs;
  const workspaceId = shared?.workspaceId ?? newWorkspaceId();
  const slack = shared?.slack ?? new SlackStandIn({ workspaceId });
  if (!shared) await slack.start();
  const clock = shared?.clock ?? new ManualClock(Date.now());
  const logs: string[] = [];
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: "0",
    ORG_ADMINS: (options.orgAdmins ?? []).join(","),
    LOG_LEVEL: "silent",
  });
  const roster = createRosterApp({
    config,
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? "info", {
      write: (line: string) => void logs.push(line),
    }),
    clock,
    slackRetries: options.slackRetries ?? 0,
    digest: options.digest,
  });
  const { port } = await roster.start();
  const url = `http://127.0.0.1:${port}/slack/events`;

  const answer = async (body: Parameters<typeof postToSlackApp>[2]): Promise<SlackAnswer> => {
    const result = await postToSlackApp(url, SIGNING_SECRET, body);
    return { status: result.status, text: result.text, json: result.json as SlackAnswer["json"] };
  };

  return {
    db,
    roster,
    slack,
    logs,
    clock,
    workspaceId,
    url,
    command: (userId, text, opts = {}) =>
      answer({
        form: payloads.slashCommand({
          workspaceId,
          userId,
          channelId: opts.channelId ?? "C0GENERAL",
          text,
          responseUrl: slack.responseUrl(),
        }),
      }),
    press: (userId, actionId, value, message) =>
      answer({
        payload: payloads.blockActions({
          workspaceId,
          userId,
          actionId,
          value,
          responseUrl: slack.responseUrl(),
          ...(message && { message: { ...message, blocks: [], text: "" } }),
        }),
      }),
    person(id, opts = {}) {
      slack.addUser({
        id,
        name: id.toLowerCase(),
        email: opts.email ?? `${id.toLowerCase()}@example.com`,
        isAdmin: opts.admin,
      });
      return id;
    },
    async close() {
      await roster.stop();
      // A second copy leaves the shared stand-in to the world that started it.
      if (!shared) await slack.stop();
    },
  };
}

/** A button as a test presses it. */
export interface Button {
  action_id: string;
  value: string;
}

/** The buttons of a message's actions blocks, in order. */
export function actionButtons(blocks: unknown[] | undefined): Button[] {
  return ((blocks ?? []) as { type?: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);
}

/**
 * Sends `/team <text>` and returns the private reply: its sentence (less a refusal's icon, since
 * what matters is the sentence), its blocks, and both together as the user sees them.
 */
export async function commandReply(
  world: SlackWorld,
  userId: string,
  text: string,
): Promise<{ text: string; all: string; blocks: unknown[] }> {
  const answer = await world.command(userId, text);
  if (answer.status !== 200 || answer.json?.response_type !== "ephemeral") {
    throw new Error(`expected a private 200 reply to "/team ${text}", got ${answer.status}: ${answer.text}`);
  }
  const reply = (answer.json?.text ?? "").replace(/^:no_entry_sign: /, "");
  const blocks = answer.json?.blocks ?? [];
  return { text: reply, all: `${reply}\n${JSON.stringify(blocks)}`, blocks };
}
