import http from "node:http";
import { createRosterApp, type RosterApp } from "../src/app";
import { loadConfig } from "../src/config";
import type { Database } from "../src/db/database";
import { createLogger } from "../src/logger";
import type { Services } from "../src/services";
import type { SpendResult } from "../src/services/usage.service";
import { SlackStandIn } from "../src/stand-in/slack-stand-in";
import type { SeededWorld } from "./ingest-seed";
import type { BenchEvent } from "./ingest-workload";

type TeamKey = keyof SeededWorld["teams"];
export type Outcome = Pick<SpendResult, "status" | "reason">;

/** How the bench reaches Roster: the HTTP API when it is served, else the service it calls. */
export interface IngestClient {
  path: "service" | "http";
  record(team: TeamKey, events: BenchEvent[], occurredAt: number): Promise<Outcome[]>;
  /** One single-event check in Platform. */
  check(userId: string, tokens: number): Promise<void>;
  close(): Promise<void>;
}

/** `services.usage.record`/`check` directly: the object POST /api/v1/usage calls. */
export function serviceClient(services: Services, world: SeededWorld): IngestClient {
  const workspaceId = world.owner.workspaceId;
  return {
    path: "service",
    async record(team, events, occurredAt) {
      const spends = events.map((e) => ({ ...e, occurredAt }));
      return (await services.usage.record(workspaceId, world.teams[team], spends)).results;
    },
    async check(userId, tokens) {
      await services.usage.check(workspaceId, world.teams.platform, userId, tokens);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The real app on a free port (its Slack pointed at a local stand-in, so limit notices go nowhere
 * real) and a keep-alive HTTP client with one API key per team. Null when the app doesn't serve
 * POST /api/v1/usage yet (it answers 404 rather than 401 to a request without a key).
 */
export async function httpClient(
  db: Database,
  world: SeededWorld,
  concurrency = 1,
): Promise<IngestClient | null> {
  const slack = new SlackStandIn({ workspaceId: world.owner.workspaceId });
  await slack.start();
  let app: RosterApp | undefined;
  try {
    const config = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-bench",
      SLACK_SIGNING_SECRET: "bench-signing-secret",
      SLACK_API_URL: slack.apiUrl,
      PORT: "0",
      TIMEZONE: "UTC",
      LOG_LEVEL: "silent",
    });
    app = createRosterApp({ config, db, logger: createLogger("silent"), slackRetries: 0 });
    const { port } = await app.start();
    const probe = await fetch(`http://127.0.0.1:${port}/api/v1/usage`, { method: "POST", body: "{}" });
    await probe.arrayBuffer();
    if (probe.status !== 401) {
      await app.stop();
      await slack.stop();
      return null;
    }
    const keys = new Map<TeamKey, string>();
    for (const team of Object.keys(world.teams) as TeamKey[]) {
      keys.set(team, (await app.services.apiKeys.create(world.owner, world.names[team], "bench")).key);
    }
    // node:http with a keep-alive agent: fetch (undici) adds about a millisecond per call of its own.
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const post = <T>(team: TeamKey, route: string, body: unknown) =>
      new Promise<T>((resolve, reject) => {
        const payload = JSON.stringify(body);
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            path: `/api/v1${route}`,
            method: "POST",
            agent,
            headers: {
              authorization: `Bearer ${keys.get(team)}`,
              "content-type": "application/json",
              "content-length": Buffer.byteLength(payload),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              if (res.statusCode === 200) resolve(JSON.parse(text) as T);
              else reject(new Error(`POST ${route} answered ${res.statusCode}: ${text.slice(0, 300)}`));
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    const started = app;
    return {
      path: "http",
      async record(team, events, occurredAt) {
        const body = {
          events: events.map((e) => ({
            transactionId: e.transactionId,
            user: e.userId,
            tokens: e.tokens,
            resource: e.resource,
            occurredAt,
          })),
        };
        return (await post<{ results: Outcome[] }>(team, "/usage", body)).results;
      },
      async check(userId, tokens) {
        await post("platform", "/usage/check", { user: userId, tokens });
      },
      async close() {
        agent.destroy();
        await started.stop();
        await slack.stop();
      },
    };
  } catch (error) {
    await app?.stop().catch(() => undefined);
    await slack.stop();
    throw error;
  }
}
