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
export async function httpClient(db: Database, world: SeededWorld): Promise<IngestClient | null> {
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
    const base = `http://127.0.0.1:${port}/api/v1`;
    const probe = await fetch(`${base}/usage`, { method: "POST", body: "{}" });
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
    const post = async <T>(team: TeamKey, route: string, body: unknown): Promise<T> => {
      const res = await fetch(`${base}${route}`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys.get(team)}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`POST ${route} answered ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };
    const started = app;
    return {
      path: "http",
      async record(team, events, occurredAt) {
        const body = { events: events.map((e) => ({ transactionId: e.transactionId, user: e.userId, tokens: e.tokens, resource: e.resource, occurredAt })) };
        return (await post<{ results: Outcome[] }>(team, "/usage", body)).results;
      },
      async check(userId, tokens) {
        await post("platform", "/usage/check", { user: userId, tokens });
      },
      async close() {
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
