import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { localDay } from "../../src/domain/periods";
import { testDatabases } from "../support/databases";
import { slackWorld } from "../support/slack-app";
import { ALICE, api, BOB, BOB_EMAIL, CAROL, event, type PlatformWorld, platformWorld } from "./api-support";

describe.each(testDatabases())("HTTP API: the four endpoints on $name", (kind) => {
  let db: Database;
  let t: PlatformWorld;

  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    t = await platformWorld(await slackWorld(db));
  });
  afterEach(async () => {
    await t.world.close();
  });

  const emailLookups = () => t.world.slack.callsTo("users.lookupByEmail").length;

  it("records usage by Slack ID and by email, answering each event in the order sent", async () => {
    const events = [
      event(ALICE, 100),
      event(BOB_EMAIL, 250, { resource: "claude-sonnet" }),
      event("nobody@example.com", 5),
      event(CAROL, 7),
    ];
    const answer = await api(t.world, "POST", "/api/v1/usage", { key: t.key, body: { events } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.json.results).toEqual([
      { transactionId: events[0].transactionId, status: "accepted", remaining: null, transactionMax: null },
      { transactionId: events[1].transactionId, status: "accepted", remaining: null, transactionMax: null },
      {
        transactionId: events[2].transactionId,
        status: "rejected",
        reason: "not_a_member",
        remaining: 0,
        transactionMax: 0,
      },
      // Carol is in Other, not in the key's team.
      {
        transactionId: events[3].transactionId,
        status: "rejected",
        reason: "not_a_member",
        remaining: 0,
        transactionMax: 0,
      },
    ]);

    // Emails are looked up once and remembered for a few minutes.
    expect(emailLookups()).toBe(2);
    const again = await api(t.world, "POST", "/api/v1/usage", {
      key: t.key,
      body: { events: [event(BOB_EMAIL, 1)] },
    });
    expect(again.json.results?.[0].status).toBe("accepted");
    expect(emailLookups()).toBe(2);
  });

  it("reports the key's team by user (the default: the last 30 days), by resource and by day", async () => {
    const now = t.world.clock.now();
    const body = {
      events: [
        event(ALICE, 100),
        event(BOB_EMAIL, 250, { resource: "claude-sonnet" }),
        event(BOB, 50, { occurredAt: new Date(now - 3 * 86_400_000).toISOString() }),
        // Outside the default 30 days.
        event(ALICE, 1000, { occurredAt: now - 40 * 86_400_000 }),
      ],
    };
    expect((await api(t.world, "POST", "/api/v1/usage", { key: t.key, body })).status).toBe(200);
    const today = localDay(now, "UTC");
    const thirtyDaysAgo = localDay(now - 29 * 86_400_000, "UTC");

    const byUser = await api(t.world, "GET", "/api/v1/usage", { key: t.key });
    expect(byUser.status).toBe(200);
    expect(byUser.json).toEqual({
      from: thirtyDaysAgo,
      to: today,
      by: "user",
      total: 400,
      rows: [
        { key: BOB, tokens: 300, events: 2 },
        { key: ALICE, tokens: 100, events: 1 },
      ],
    });

    const byResource = await api(t.world, "GET", "/api/v1/usage?by=resource", { key: t.key });
    expect(byResource.json.rows).toEqual([
      { key: "claude-sonnet", tokens: 250, events: 1 },
      { key: "gpt-4o", tokens: 150, events: 2 },
    ]);

    const from = localDay(now - 60 * 86_400_000, "UTC");
    const byDay = await api(
      t.world,
      "GET",
      `/api/v1/usage?by=day&from=${from}&to=${today}&user=${BOB_EMAIL}`,
      {
        key: t.key,
      },
    );
    expect(byDay.json).toMatchObject({ from, to: today, by: "day", total: 300 });
    expect(byDay.json.rows).toEqual([
      { key: localDay(now - 3 * 86_400_000, "UTC"), tokens: 50, events: 1 },
      { key: today, tokens: 250, events: 1 },
    ]);

    // Another team's key sees its own team only.
    const other = await api(t.world, "GET", "/api/v1/usage", { key: t.otherKey });
    expect(other.json).toMatchObject({ total: 0, rows: [] });
  });

  it("answers whether a spend would fit, with what remains, and records nothing", async () => {
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      userId: BOB,
      transactionMax: 300,
      totalMax: 1000,
      period: "monthly",
    });
    const check = (user: string, tokens: number) =>
      api(t.world, "POST", "/api/v1/usage/check", { key: t.key, body: { user, tokens } });

    // What is left now, before the spend asked about: a check records nothing.
    expect((await check(BOB_EMAIL, 200)).json).toEqual({
      allowed: true,
      remaining: 1000,
      transactionMax: 300,
    });
    expect((await check(BOB, 400)).json).toEqual({
      allowed: false,
      reason: "transaction_limit",
      remaining: 1000,
      transactionMax: 300,
    });
    expect((await check(ALICE, 5000)).json).toEqual({ allowed: true, remaining: null, transactionMax: null });
    expect((await check(CAROL, 1)).json).toEqual({
      allowed: false,
      reason: "not_a_member",
      remaining: 0,
      transactionMax: 0,
    });
    expect((await check("ghost@example.com", 1)).json.reason).toBe("not_a_member");

    const usage = await api(t.world, "GET", "/api/v1/usage", { key: t.key });
    expect(usage.json.total).toBe(0);
  });

  it("checks access through the team's roles, grants and shared resources, with the reason", async () => {
    const access = async (body: object) =>
      (await api(t.world, "POST", "/api/v1/access/check", { key: t.key, body })).json;
    expect(await access({ user: ALICE, permission: "keys:manage" })).toEqual({
      allowed: true,
      reason: "role owner includes keys:manage",
    });
    expect(await access({ user: BOB_EMAIL, permission: "usage:view_all" })).toEqual({
      allowed: false,
      reason: "role member lacks usage:view_all, and it is not granted to Platform",
    });
    expect(await access({ user: BOB, permission: "execute", resource: "model:gpt-4o" })).toEqual({
      allowed: false,
      reason: "model:gpt-4o is not shared with Platform",
    });

    await t.world.roster.services.access.share(t.as(ALICE), "Platform", "model:gpt-4o", ["execute"]);
    expect(await access({ user: BOB_EMAIL, permission: "execute", resource: "model:gpt-4o" })).toEqual({
      allowed: true,
      reason: "model:gpt-4o is shared with Platform for execute",
    });
    await t.world.roster.services.teams.update(t.as(ALICE), "Platform", { resourceSharing: "admins_only" });
    expect(await access({ user: BOB, permission: "execute", resource: "model:gpt-4o" })).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/shares resources with its admins only/) as unknown,
    });
    expect(await access({ user: CAROL, permission: "team:view" })).toEqual({
      allowed: false,
      reason: "not a member of Platform",
    });
    expect(await access({ user: "ghost@example.com", permission: "team:view" })).toMatchObject({
      allowed: false,
    });

    const unknown = await api(t.world, "POST", "/api/v1/access/check", {
      key: t.key,
      body: { user: BOB, permission: "fly" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: "invalid_input", field: "permission" });
    const badResource = await api(t.world, "POST", "/api/v1/access/check", {
      key: t.key,
      body: { user: BOB, permission: "execute", resource: "gpt-4o" },
    });
    expect(badResource.status).toBe(400);
    expect(badResource.json.error).toMatchObject({ field: "resource" });
  });
});
