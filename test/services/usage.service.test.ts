import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { createServices } from "../../src/services";
import type { SpendInput } from "../../src/services/usage.service";
import { openAnother, testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { type ServiceWorld, serviceWorld } from "../support/services";

let tx = 0;
const spend = (userId: string, tokens: number, extra: Partial<SpendInput> = {}): SpendInput => ({
  transactionId: `tx-${++tx}`,
  userId,
  tokens,
  resource: "gpt-4o",
  ...extra,
});

describe.each(testDatabases())("usage and limits on $name", (kind) => {
  const testWorld = useServiceWorld(kind, { timeZone: "Europe/Berlin" });
  let db: Database;
  let world: ServiceWorld;
  let owner: Actor;
  let alice: Actor;
  let teamId: number;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    // Monday 2026-01-05 09:00 UTC.
    world.clock.set(Date.UTC(2026, 0, 5, 9, 0));
    owner = world.user("owner");
    alice = world.user("alice");
    teamId = (await world.services.teams.create(owner, { name: "Platform" })).id;
    await world.services.members.add(owner, "Platform", [alice.userId]);
  });

  const record = (events: SpendInput[], team = teamId) =>
    world.services.usage.record(world.workspaceId, team, events);
  const statuses = async (events: SpendInput[], team = teamId) =>
    (await record(events, team)).results.map((r) => (r.status === "rejected" ? r.reason : r.status));

  it("records spends without limits, and recognises a repeated transactionId", async () => {
    const first = spend(alice.userId, 100);
    expect(await statuses([first, spend(alice.userId, 5)])).toEqual(["accepted", "accepted"]);
    const again = await record([first, { ...first }]);
    expect(again.results.map((r) => r.status)).toEqual(["duplicate", "duplicate"]);
    const report = await world.services.usageReports.report(world.workspaceId, teamId, {
      from: "2026-01-01",
      to: "2026-01-31",
      by: "user",
    });
    expect(report.total).toBe(105);
  });

  it("rejects spends by non-members and inactive members", async () => {
    await world.services.members.deactivate(owner, "Platform", [alice.userId]);
    expect(await statuses([spend(alice.userId, 1), spend("UNOBODY1", 1)])).toEqual([
      "inactive",
      "not_a_member",
    ]);
  });

  it("enforces a member's transaction and total limits and reports what remains", async () => {
    await world.services.limits.set(owner, "Platform", {
      userId: alice.userId,
      transactionMax: 500,
      totalMax: 1000,
    });
    const { results } = await record([
      spend(alice.userId, 600),
      spend(alice.userId, 400),
      spend(alice.userId, 500),
      spend(alice.userId, 150),
    ]);
    expect(results.map((r) => r.reason ?? r.status)).toEqual([
      "transaction_limit",
      "accepted",
      "accepted",
      "total_limit",
    ]);
    expect(results[1]).toMatchObject({ remaining: 600, transactionMax: 500 });
    expect(results[3]).toMatchObject({ remaining: 100, transactionMax: 100 });
  });

  it("applies the team default to members without a limit of their own", async () => {
    const bob = world.user("bob");
    await world.services.members.add(owner, "Platform", [bob.userId]);
    await world.services.limits.set(owner, "Platform", { totalMax: 100 });
    await world.services.limits.set(owner, "Platform", { userId: bob.userId, totalMax: 300 });
    expect(
      await statuses([spend(alice.userId, 100), spend(alice.userId, 1), spend(bob.userId, 250)]),
    ).toEqual(["accepted", "total_limit", "accepted"]);
  });

  it("enforces the lowest of the member's limit, the team budget and every ancestor's budget", async () => {
    const root = await world.services.teams.create(owner, { name: "Org" });
    await world.services.teams.update(owner, "Platform", { parent: "Org" });
    await world.services.limits.set(owner, "Org", { budget: true, totalMax: 1000 });
    await world.services.limits.set(owner, "Platform", { budget: true, totalMax: 600 });
    await world.services.limits.set(owner, "Platform", { userId: alice.userId, totalMax: 5000 });
    // Spend elsewhere under Org counts against Org's budget.
    await world.services.teams.create(owner, { name: "Search", parent: "Org" });
    const searchId = (await world.services.teams.get(owner, "Search")).team.id;
    expect(await statuses([spend(owner.userId, 300)], searchId)).toEqual(["accepted"]);
    const { results } = await record([
      spend(alice.userId, 500),
      spend(alice.userId, 150),
      spend(alice.userId, 100),
    ]);
    expect(results.map((r) => r.reason ?? r.status)).toEqual(["accepted", "budget", "accepted"]);
    expect(results[2].remaining).toBe(0);
    const explained = await world.services.limits.explain(owner, "Platform", alice.userId);
    expect(explained.limits.find((l) => l.binds)?.team.id).toBe(teamId);
    expect(root.id).toBeGreaterThan(0);
  });

  it("refuses sub-team budgets that would add up to more than the parent's, with the numbers", async () => {
    await world.services.teams.create(owner, { name: "Org" });
    await world.services.teams.update(owner, "Platform", { parent: "Org" });
    await world.services.teams.create(owner, { name: "Search", parent: "Org" });
    await world.services.limits.set(owner, "Org", { budget: true, totalMax: 1000, period: "monthly" });
    await world.services.limits.set(owner, "Search", { budget: true, totalMax: 700, period: "monthly" });
    await expect(
      world.services.limits.set(owner, "Platform", { budget: true, totalMax: 400, period: "monthly" }),
    ).rejects.toThrow(
      "Org's budget is 1,000 tokens (monthly) and its other sub-teams' budgets add up to 700, so Platform's can be at most 300, not 400.",
    );
    await expect(
      world.services.limits.set(owner, "Org", { budget: true, totalMax: 500, period: "monthly" }),
    ).rejects.toThrow(/adding up to 700 tokens \(monthly\), more than 500/);
    await world.services.limits.set(owner, "Platform", { budget: true, totalMax: 300, period: "monthly" });
  });

  it("resets a daily limit at local midnight in TIMEZONE", async () => {
    await world.services.limits.set(owner, "Platform", {
      userId: alice.userId,
      totalMax: 100,
      period: "daily",
    });
    world.clock.set(Date.UTC(2026, 0, 5, 22, 30)); // 23:30 in Berlin
    expect(await statuses([spend(alice.userId, 100), spend(alice.userId, 1)])).toEqual([
      "accepted",
      "total_limit",
    ]);
    world.clock.set(Date.UTC(2026, 0, 5, 23, 0)); // 00:00 in Berlin, a new day
    expect(await statuses([spend(alice.userId, 100), spend(alice.userId, 1)])).toEqual([
      "accepted",
      "total_limit",
    ]);
  });

  it("starts a new limit from what was already spent this period", async () => {
    await record([spend(alice.userId, 700)]);
    await world.services.limits.set(owner, "Platform", {
      userId: alice.userId,
      totalMax: 1000,
      period: "monthly",
    });
    expect(await statuses([spend(alice.userId, 301), spend(alice.userId, 300)])).toEqual([
      "total_limit",
      "accepted",
    ]);
  });

  it("sends each 80% and 100% notice once per limit and period", async () => {
    await world.services.limits.set(owner, "Platform", { userId: alice.userId, totalMax: 100 });
    const first = await record([spend(alice.userId, 79)]);
    const second = await record([spend(alice.userId, 1), spend(alice.userId, 5)]);
    const third = await record([spend(alice.userId, 15), spend(alice.userId, 1)]);
    expect(first.notices).toEqual([]);
    expect(second.notices.map((n) => n.threshold)).toEqual([80]);
    expect(third.notices.map((n) => n.threshold)).toEqual([100]);
  });

  it("never overspends under 200 concurrent spends from two processes, and accepts as many as fit", async () => {
    await world.services.limits.set(owner, "Platform", { budget: true, totalMax: 1000 });
    const second = await openAnother(db);
    try {
      const other = createServices({
        db: second,
        clock: new ManualClock(world.clock.now()),
        orgAdmins: [],
        inviteTtlDays: 7,
        timeZone: "Europe/Berlin",
        workspaceAdminLookup: async () => false,
      });
      // 200 spends of 7 tokens against 1,000: exactly 142 fit (994 tokens).
      const calls = Array.from({ length: 200 }, (_, i) => {
        const services = i % 2 === 0 ? world.services : other;
        return services.usage.record(world.workspaceId, teamId, [spend(alice.userId, 7)]);
      });
      const results = (await Promise.all(calls)).flatMap((r) => r.results);
      const accepted = results.filter((r) => r.status === "accepted");
      expect(accepted).toHaveLength(142);
      expect(results.filter((r) => r.reason === "budget")).toHaveLength(58);
      const report = await world.services.usageReports.report(world.workspaceId, teamId, {
        from: "2026-01-01",
        to: "2026-12-31",
        by: "user",
      });
      expect(report.total).toBe(994);
    } finally {
      await second.close();
    }
  }, 60_000);
});

describe.each(testDatabases())("usage by day in a half-hour time zone on $name", (kind) => {
  it("puts each spend on its local day in Asia/Kolkata (UTC+5:30)", async () => {
    const db = await kind.open();
    try {
      const world = serviceWorld(db, { timeZone: "Asia/Kolkata" });
      const owner = world.user("owner");
      const team = await world.services.teams.create(owner, { name: "India" });
      // 18:20 UTC is 23:50 local on the 5th; 18:40 UTC is 00:10 local on the 6th: the same UTC hour.
      await world.services.usage.record(world.workspaceId, team.id, [
        spend(owner.userId, 5, { occurredAt: Date.UTC(2026, 0, 5, 18, 20) }),
        spend(owner.userId, 7, { occurredAt: Date.UTC(2026, 0, 5, 18, 40) }),
      ]);
      const report = await world.services.usageReports.report(world.workspaceId, team.id, {
        from: "2026-01-05",
        to: "2026-01-06",
        by: "day",
      });
      expect(report.rows.map((r) => [r.key, r.tokens])).toEqual([
        ["2026-01-05", 5],
        ["2026-01-06", 7],
      ]);
    } finally {
      await db.close();
    }
  });
});
