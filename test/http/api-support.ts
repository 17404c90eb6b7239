import { request } from "node:http";
import { expect } from "vitest";
import type { Actor } from "../../src/services/actor";
import type { SlackWorld } from "../support/slack-app";

export interface ApiResult {
  transactionId: string;
  status: "accepted" | "duplicate" | "rejected";
  reason?: string;
  remaining: number | null;
  transactionMax: number | null;
}

/** The answers of every endpoint, as the platform reads them. */
export interface ApiJson {
  error?: { code: string; message: string; field?: string };
  results?: ApiResult[];
  allowed?: boolean;
  reason?: string;
  remaining?: number | null;
  transactionMax?: number | null;
  from?: string;
  to?: string;
  by?: string;
  total?: number;
  rows?: { key: string; tokens: number; events: number }[];
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  json: ApiJson;
}

export interface Event {
  transactionId: string;
  user: string;
  tokens: number;
  resource: string;
  occurredAt?: string | number;
}

/** The app's own origin (the API shares the port of /slack/events). */
export function apiBase(world: SlackWorld): string {
  return world.url.replace(/\/slack\/events$/, "");
}

/** Calls the API as the AI platform does: JSON with a Bearer key. */
export async function api(
  world: SlackWorld,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${apiBase(world)}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as ApiJson) : {},
  };
}

/** Makes a key with `/team key create` as `userId` and returns it (read from the reply, once). */
export async function createKey(
  world: SlackWorld,
  userId: string,
  team: string,
  name: string,
): Promise<string> {
  const answer = await world.command(userId, `key create ${team} ${name}`);
  const key = /rk_[A-Za-z0-9]{32}/.exec(JSON.stringify(answer.json?.blocks ?? []))?.[0];
  expect(key, answer.json?.text).toBeDefined();
  return key ?? "";
}

let sequence = 0;
export function event(user: string, tokens: number, extra: Partial<Event> = {}): Event {
  return { transactionId: `tx-${++sequence}-${Date.now()}`, user, tokens, resource: "gpt-4o", ...extra };
}

/** Every token the team has recorded, read from the database (not through the API under test). */
export async function recordedTotal(world: SlackWorld, actor: Actor, team: string): Promise<number> {
  const { id } = await world.roster.services.teams.get(actor, team).then((d) => d.team);
  const [row] = await world.db.dataSource.query(
    "SELECT COALESCE(SUM(tokens), 0) AS total FROM usage_events WHERE team_id = ?",
    [id],
  );
  return Number((row as { total: number | string }).total);
}

/**
 * Sends a POST whose body is `total` bytes, only `first` of them at once; the rest only if the
 * server hasn't answered within `waitMs`. Tells whether the answer came before the client had
 * finished sending: proof that the server refused without reading (or buffering) the whole body.
 */
export function postSlowly(
  world: SlackWorld,
  path: string,
  options: { key: string; total: number; first: number; declareLength: boolean; waitMs?: number },
): Promise<{ status: number; json: ApiJson; answeredBeforeAllSent: boolean }> {
  const url = new URL(`${apiBase(world)}${path}`);
  return new Promise((resolve, reject) => {
    let allSent = false;
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${options.key}`,
      "content-type": "application/json",
    };
    if (options.declareLength) headers["content-length"] = options.total;
    const req = request({ host: url.hostname, port: url.port, path, method: "POST", headers, agent: false });
    const timer = setTimeout(() => {
      allSent = true;
      req.end(Buffer.concat([Buffer.alloc(options.total - options.first - 1, 0x20), Buffer.from("}")]));
    }, options.waitMs ?? 3000);
    req.on("response", (res) => {
      clearTimeout(timer);
      const answeredBeforeAllSent = !allSent;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as ApiJson,
          answeredBeforeAllSent,
        });
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Read whole, the body would parse (as {"events": []}): a 413 means it was refused unread.
    const start = Buffer.from('{"events": [] ');
    req.write(Buffer.concat([start, Buffer.alloc(options.first - start.length, 0x20)]));
  });
}

export const ALICE = "UALICE1"; // owns Platform
export const BOB = "UBOB1"; // member of Platform, reported by email
export const BOB_EMAIL = "bob@example.com";
export const CAROL = "UCAROL1"; // member of Other only
export const DAVE = "UDAVE1"; // owns Other

export interface PlatformWorld {
  world: SlackWorld;
  /** Platform's key and Other's key. */
  key: string;
  otherKey: string;
  as(userId: string): Actor;
}

/** Two teams, each with a key: Platform (Alice, Bob) and Other (Dave, Carol). */
export async function platformWorld(world: SlackWorld): Promise<PlatformWorld> {
  for (const id of [ALICE, CAROL, DAVE]) world.person(id);
  world.person(BOB, { email: BOB_EMAIL });
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });
  await world.roster.services.teams.create(as(ALICE), { name: "Platform" });
  await world.roster.services.members.add(as(ALICE), "Platform", [BOB]);
  await world.roster.services.teams.create(as(DAVE), { name: "Other" });
  await world.roster.services.members.add(as(DAVE), "Other", [CAROL]);
  const key = await createKey(world, ALICE, "Platform", "platform-ci");
  const otherKey = await createKey(world, DAVE, "Other", "other-ci");
  return { world, key, otherKey, as };
}
