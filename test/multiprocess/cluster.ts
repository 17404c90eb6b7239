import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import * as payloads from "../../src/stand-in/slack-payloads";
import { SlackStandIn, type StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newWorkspaceId } from "../support/databases";
import { AppProcess } from "./app-process";

export const SIGNING_SECRET = "multiprocess-signing-secret-0123456789";
export const BOT_TOKEN = "xoxb-multiprocess-0123456789";

/** What the user sees of a command: the reply's sentence and its blocks (ack or response_url). */
export interface Reply {
  text: string;
  blocks: unknown[];
  /** The HTTP status of the ack. */
  status: number;
}

/** A button as it sits on a message. */
export interface Button {
  action_id: string;
  value: string;
}

/**
 * Several `npm start` processes of Roster behind an imaginary load balancer: one MariaDB database
 * of their own (created on the server of TEST_MYSQL_URL, dropped by `close`), one Slack stand-in
 * in this process that all of them call, and the ways Slack and the AI platform reach them.
 */
export class Cluster {
  readonly apps: AppProcess[] = [];
  readonly slack: SlackStandIn;
  readonly workspaceId = newWorkspaceId();
  /** How long each start took, in ms, by process name. */
  readonly startMs: Record<string, number> = {};
  private sql?: mysql.Connection;

  private constructor(
    private readonly serverUrl: string,
    readonly databaseName: string,
  ) {
    this.slack = new SlackStandIn({ workspaceId: this.workspaceId });
  }

  /** A database `roster_mp_<pid>_<random>` on the server of `mysqlUrl`, and the stand-in, started. */
  static async create(mysqlUrl: string): Promise<Cluster> {
    const server = new URL(mysqlUrl);
    server.pathname = "/";
    const cluster = new Cluster(
      server.toString(),
      `roster_mp_${process.pid}_${randomBytes(4).toString("hex")}`,
    );
    const admin = await mysql.createConnection(cluster.serverUrl);
    try {
      await admin.query(
        `CREATE DATABASE \`${cluster.databaseName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      );
    } finally {
      await admin.end();
    }
    await cluster.slack.start();
    return cluster;
  }

  get databaseUrl(): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.databaseName}`;
    return url.toString();
  }

  /** Starts `names` at once with `env` on top of the common configuration; resolves when all run. */
  async start(names: string[], env: Record<string, string>, timeoutMs: number): Promise<AppProcess[]> {
    const started = Date.now();
    const apps = names.map(
      (name) =>
        new AppProcess(name, {
          DATABASE_URL: this.databaseUrl,
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: this.slack.apiUrl,
          PORT: "0",
          TIMEZONE: "UTC",
          ...env,
        }),
    );
    this.apps.push(...apps);
    await Promise.all(
      apps.map(async (app) => {
        await app.ready(timeoutMs);
        this.startMs[app.name] = Date.now() - started;
      }),
    );
    return apps;
  }

  /** Rows from the cluster's database (a connection of the test's own, for checking outcomes). */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.sql ??= await mysql.createConnection({ uri: this.databaseUrl, supportBigNumbers: true });
    const [rows] = await this.sql.query(sql, params);
    return rows as T[];
  }

  person(id: string, options: { admin?: boolean } = {}): string {
    this.slack.addUser({
      id,
      name: id.toLowerCase(),
      email: `${id.toLowerCase()}@example.com`,
      isAdmin: options.admin,
    });
    return id;
  }

  /** A public channel the bot is in, and its mention as Slack writes it in command text. */
  channel(name: string, members: string[]): { id: string; mention: string } {
    const id = `C${randomBytes(5).toString("hex").toUpperCase()}`;
    this.slack.addChannel({ id, name, members: ["UROSTERBOT", ...members] });
    return { id, mention: `<#${id}|${name}>` };
  }

  /**
   * `/team <text>` as `userId`, sent to process `app` signed as Slack signs it; the reply as the
   * user sees it: in the ack, or through the response_url when the work took longer.
   */
  async command(app: number, userId: string, text: string): Promise<Reply> {
    const responseUrl = this.slack.responseUrl();
    const answer = await postToSlackApp(this.appAt(app).slackUrl, SIGNING_SECRET, {
      form: payloads.slashCommand({
        workspaceId: this.workspaceId,
        userId,
        channelId: "C0GENERAL",
        text,
        responseUrl,
      }),
    });
    const inAck = answer.json as { text?: string; blocks?: unknown[] } | undefined;
    if (answer.status !== 200 || inAck?.text !== undefined) {
      return { status: answer.status, text: inAck?.text ?? answer.text, blocks: inAck?.blocks ?? [] };
    }
    const later = await this.responseTo(responseUrl, 20_000);
    return { status: answer.status, text: later.text ?? "", blocks: later.blocks ?? [] };
  }

  /** Presses `button` on `message` as `userId`, through process `app`; resolves with the ack's status. */
  async press(app: number, userId: string, button: Button, message: StandInMessage): Promise<number> {
    const responseUrl = this.slack.responseUrl({
      channel: message.conversation,
      messageTs: message.ts,
      userId,
    });
    const answer = await postToSlackApp(this.appAt(app).slackUrl, SIGNING_SECRET, {
      payload: payloads.blockActions({
        workspaceId: this.workspaceId,
        userId,
        actionId: button.action_id,
        value: button.value,
        responseUrl,
        message: {
          ts: message.ts,
          channel: message.conversation,
          blocks: message.blocks ?? [],
          text: message.text,
        },
      }),
    });
    return answer.status;
  }

  /** The AI platform calling the HTTP API of process `app` with a team's key. */
  async api<T>(
    app: number,
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.appAt(app).origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as T };
  }

  /** Stops every process (SIGTERM, then the group is killed), drops the database, stops the stand-in. */
  async close(): Promise<void> {
    await Promise.allSettled(this.apps.map((app) => app.stop(5_000)));
    await this.sql?.end().catch(() => undefined);
    const admin = await mysql.createConnection(this.serverUrl);
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${this.databaseName}\``);
    } finally {
      await admin.end();
    }
    await this.slack.stop();
  }

  private appAt(index: number): AppProcess {
    return this.apps[index % this.apps.length];
  }

  private async responseTo(url: string, timeoutMs: number): Promise<{ text?: string; blocks?: unknown[] }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.slack.responses.find((r) => r.url === url);
      if (found) return found.body as { text?: string; blocks?: unknown[] };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no reply came through the response_url within ${timeoutMs} ms`);
  }
}

/** The buttons of a message's actions blocks, in order. */
export function buttonsOf(message: { blocks?: unknown[] }): Button[] {
  return ((message.blocks ?? []) as { type?: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);
}
