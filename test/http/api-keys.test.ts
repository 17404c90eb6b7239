import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { openAnother, testDatabases } from "../support/databases";
import { type SlackWorld, slackWorld } from "../support/slack-app";
import {
  ALICE,
  api,
  BOB,
  createKey,
  event,
  type PlatformWorld,
  platformWorld,
  recordedTotal,
} from "./api-support";

/**
 * Each process remembers which team a key it has met stands for, and confirms the key is still
 * live in the statement that serves the request (or on its own): a key revoked, or a team
 * renamed, by another process takes effect on the very next request here.
 */
describe.each(testDatabases())("HTTP API: keys known from memory on $name", (kind) => {
  let db: Database;
  let secondDb: Database;
  let t: PlatformWorld;
  let second: SlackWorld;

  beforeAll(async () => {
    db = await kind.open();
    secondDb = await openAnother(db);
  });
  afterAll(async () => {
    await secondDb.close();
    await db.close();
  });
  beforeEach(async () => {
    const world = await slackWorld(db);
    world.clock.set(Date.UTC(2026, 10, 15, 12));
    t = await platformWorld(world);
    second = await slackWorld(secondDb, { sameWorkspaceAs: world });
    second.clock.set(Date.UTC(2026, 10, 15, 12));
  });
  afterEach(async () => {
    await second.close();
    await t.world.close();
  });

  const total = () => recordedTotal(t.world, t.as(ALICE), "Platform");
  const post = (body: unknown, path = "/api/v1/usage") => api(t.world, "POST", path, { key: t.key, body });

  it("refuses every kind of request once another process has revoked the key, and records nothing", async () => {
    const attempts: [string, unknown][] = [
      ["/api/v1/usage", { events: [event(BOB, 10)] }],
      // Nobody has this email, so nothing would reach the database but the key's confirmation.
      ["/api/v1/usage", { events: [event("nobody@example.com", 10)] }],
      ["/api/v1/usage/check", { user: BOB, tokens: 5 }],
      ["/api/v1/usage/check", { user: "nobody@example.com", tokens: 5 }],
      ["/api/v1/access/check", { user: BOB, permission: "team:view" }],
      // A bad body from a revoked key is refused for its key, as before keys were remembered.
      ["/api/v1/usage", { events: [event(BOB, -1)] }],
      ["/api/v1/usage", { team: "Platform", events: [event(BOB, 10)] }],
    ];
    // A key per attempt, each met (and remembered) by this process first; a refusal forgets it.
    const keys: string[] = [];
    for (const [i] of attempts.entries()) {
      const key = await createKey(t.world, ALICE, "Platform", `k${i}`);
      expect(
        (await api(t.world, "POST", "/api/v1/usage", { key, body: { events: [event(BOB, 1)] } })).status,
      ).toBe(200);
      keys.push(key);
    }
    for (const [i] of attempts.entries()) {
      expect((await second.command(ALICE, `key revoke Platform k${i}`)).json?.text).toMatch(/^Revoked/);
    }
    for (const [i, [path, body]] of attempts.entries()) {
      const answer = await api(t.world, "POST", path, { key: keys[i], body });
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(401);
      expect(answer.json.error?.message).toMatch(/unknown or has been revoked/);
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
      // Forgotten: the next request with it is refused before anything else.
      expect((await api(t.world, "GET", "/api/v1/usage", { key: keys[i] })).status).toBe(401);
    }
    expect(await total()).toBe(attempts.length);
  });

  it("answers to the team's new name, not its old one, right after another process renames it", async () => {
    expect((await post({ team: "Platform", events: [event(BOB, 10)] })).status).toBe(200);
    await second.roster.services.teams.update(t.as(ALICE), "Platform", { name: "Models" });

    const old = await post({ team: "Platform", events: [event(BOB, 10)] });
    expect(old.status).toBe(404);
    expect(old.json.error?.field).toBe("team");
    expect((await post({ team: "Models", events: [event(BOB, 10)] })).status).toBe(200);
    expect((await post({ team: "models", user: BOB, tokens: 5 }, "/api/v1/usage/check")).status).toBe(200);
    const access = await post(
      { user: "nobody@example.com", permission: "team:view" },
      "/api/v1/access/check",
    );
    expect(access.json.reason).toMatch(/not a member of Models$/);
    expect(await recordedTotal(t.world, t.as(ALICE), "Models")).toBe(20);
  });
});
