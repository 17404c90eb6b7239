import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../../src/db/database";
import { openAnother, testDatabases } from "../support/databases";
import { slackWorld } from "../support/slack-app";
import {
  ALICE,
  api,
  BOB,
  BOB_EMAIL,
  event,
  type PlatformWorld,
  platformWorld,
  recordedTotal,
} from "./api-support";

describe.each(testDatabases())("HTTP API: spending under limits on $name", (kind) => {
  let db: Database;
  let t: PlatformWorld;

  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    const world = await slackWorld(db);
    // Sunday 2026-11-15, noon UTC: monthly limits reset on Dec 1.
    world.clock.set(Date.UTC(2026, 10, 15, 12));
    t = await platformWorld(world);
  });
  afterEach(async () => {
    await t.world.close();
  });

  const total = () => recordedTotal(t.world, t.as(ALICE), "Platform");
  const record = (events: unknown[], key = t.key) =>
    api(t.world, "POST", "/api/v1/usage", { key, body: { events } });
  const statuses = async (events: unknown[]) =>
    (await record(events)).json.results?.map((r) => (r.status === "rejected" ? r.reason : r.status));

  it("recognises a retried batch: the second time every event is a duplicate and nothing is counted twice", async () => {
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      budget: true,
      totalMax: 1000,
      period: "monthly",
    });
    const batch = [event(BOB, 100), event(BOB_EMAIL, 200), event(ALICE, 300)];
    const first = await record(batch);
    expect(first.json.results?.map((r) => [r.status, r.remaining])).toEqual([
      ["accepted", 900],
      ["accepted", 700],
      ["accepted", 400],
    ]);
    const retry = await record(batch);
    expect(retry.json.results?.map((r) => [r.status, r.remaining])).toEqual([
      ["duplicate", 400],
      ["duplicate", 400],
      ["duplicate", 400],
    ]);
    // Within one batch too, and mixed with new events.
    const repeat = event(BOB, 50);
    expect(await statuses([repeat, repeat, batch[0]])).toEqual(["accepted", "duplicate", "duplicate"]);
    expect(await total()).toBe(650);
  });

  it("refuses what doesn't fit, event by event, saying which limit refused it", async () => {
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      userId: BOB,
      transactionMax: 500,
      totalMax: 1000,
      period: "monthly",
    });
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      budget: true,
      totalMax: 1200,
      period: "monthly",
    });
    expect(
      await statuses([event(BOB, 600), event(BOB, 500), event(BOB, 500), event(BOB, 400), event(ALICE, 800)]),
    ).toEqual(["transaction_limit", "accepted", "accepted", "total_limit", "budget"]);
    const check = await api(t.world, "POST", "/api/v1/usage/check", {
      key: t.key,
      body: { user: ALICE, tokens: 200 },
    });
    // A check answers with what is left now (200), before the spend it asks about.
    expect(check.json).toEqual({ allowed: true, remaining: 200, transactionMax: 200 });
    expect(await total()).toBe(1000);
  });

  it("tells a member once when they cross 80% and once at 100% of their limit, after answering", async () => {
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      userId: BOB,
      totalMax: 1_000_000,
      period: "monthly",
    });
    const dms = () => t.world.slack.messagesTo(BOB).map((m) => m.text);
    expect((await record([event(BOB, 700_000)])).status).toBe(200);
    expect((await record([event(BOB, 100_000)])).status).toBe(200);
    await vi.waitFor(() => expect(dms()).toHaveLength(1));
    expect(dms()[0]).toBe(
      "You've used 80% of your 1,000,000-token monthly limit in Platform; it resets Dec 1.",
    );

    // More spending below the next line, and a retry of an earlier batch, say nothing new.
    await record([event(BOB, 100_000)]);
    await record([event(BOB_EMAIL, 99_999)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dms()).toHaveLength(1);

    await record([event(BOB, 1), event(BOB, 5)]);
    await vi.waitFor(() => expect(dms()).toHaveLength(2));
    expect(dms()[1]).toBe(
      "You've used 100% of your 1,000,000-token monthly limit in Platform; it resets Dec 1.",
    );
    const [, last] = t.world.slack.messagesTo(BOB);
    expect(JSON.stringify(last.blocks)).toContain(":no_entry:");
  });

  it("posts a budget's notice in the team's channel, or DMs its owner when it has none", async () => {
    t.world.slack.addChannel({ id: "CPLATFORM", name: "platform", members: [ALICE, BOB] });
    await t.world.roster.services.teams.update(t.as(ALICE), "Platform", { channelId: "CPLATFORM" });
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      budget: true,
      totalMax: 1000,
      period: "weekly",
    });
    await record([event(BOB, 850)]);
    await vi.waitFor(() => expect(t.world.slack.messagesTo("CPLATFORM")).toHaveLength(1));
    // Weeks start on Monday: the week of Sunday Nov 15 resets Monday Nov 16.
    expect(t.world.slack.messagesTo("CPLATFORM")[0].text).toBe(
      "Platform has used 80% of its 1,000-token weekly budget; it resets Nov 16.",
    );
    expect(t.world.slack.messagesTo(BOB)).toHaveLength(0);

    await t.world.roster.services.teams.update(t.as(ALICE), "Platform", { channelId: null });
    await record([event(BOB, 150)]);
    await vi.waitFor(() => expect(t.world.slack.messagesTo(ALICE)).toHaveLength(1));
    expect(t.world.slack.messagesTo(ALICE)[0].text).toBe(
      "Platform has used 100% of its 1,000-token weekly budget; it resets Nov 16.",
    );
  });

  it("never shows the key in the logs, whatever happens to the requests that carry it", async () => {
    await record([event(BOB, 1)]);
    await api(t.world, "POST", "/api/v1/usage", { key: t.key, raw: "{nope" });
    await api(t.world, "GET", `/api/v1/usage?from=${t.key}`, { key: t.key });
    await api(t.world, "POST", "/api/v1/usage", { key: `${t.key}0` });
    t.world.slack.failNext("users.lookupByEmail", { status: 500 });
    await record([event(BOB_EMAIL, 1)]);
    const logs = t.world.logs.join("\n");
    // The requests were logged (with their ids), just never the key, or any long part of it.
    expect(logs.match(/"msg":"API request"/g)).toHaveLength(5);
    expect(logs).toContain('"status":401');
    expect(logs).not.toContain(t.key.slice(3, 20));
    expect(logs).not.toContain(t.otherKey.slice(3, 20));
  });

  it("never overspends under 200 concurrent batches from two copies of the bot, and accepts all that fit", async () => {
    await t.world.roster.services.limits.set(t.as(ALICE), "Platform", {
      budget: true,
      totalMax: 1000,
      period: "monthly",
    });
    const secondDb = await openAnother(db);
    const second = await slackWorld(secondDb, { sameWorkspaceAs: t.world });
    try {
      // 200 spends of 7 tokens against 1,000: exactly 142 fit (994 tokens).
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          api(i % 2 === 0 ? t.world : second, "POST", "/api/v1/usage", {
            key: t.key,
            body: { events: [event(i % 3 === 0 ? BOB_EMAIL : BOB, 7)] },
          }),
        ),
      );
      expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
      const results = answers.flatMap((a) => a.json.results ?? []);
      expect(results.filter((r) => r.status === "accepted")).toHaveLength(142);
      expect(results.filter((r) => r.reason === "budget")).toHaveLength(58);
      expect(await total()).toBe(994);
      const report = await api(second, "GET", "/api/v1/usage", { key: t.key });
      expect(report.json.total).toBe(994);
    } finally {
      await second.close();
      await secondDb.close();
    }
  }, 60_000);
});
