import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock";
import type { Database } from "../../src/db/database";
import { createServices, type Services } from "../../src/services";
import type { Actor } from "../../src/services/actor";
import { KeyRevoked } from "../../src/services/api-key.service";
import type { SpendInput } from "../../src/services/usage.service";
import { openAnother, testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld } from "../support/services";

let tx = 0;
const spend = (userId: string, tokens: number): SpendInput => ({
  transactionId: `ctx-${++tx}`,
  userId,
  tokens,
  resource: "gpt-4o",
});

/**
 * UsageService keeps each team's spend context between batches (SpendContexts). Here one process
 * (`spender`, its own connection and services) records batch after batch, as the HTTP API would,
 * while another (`admin`) changes what those batches depend on. Every change must be seen by the
 * spender's very next batch: a kept context that missed one would let a removed member spend, or
 * a lowered limit be passed.
 */
describe.each(testDatabases())("kept spend contexts on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let world: ServiceWorld;
  let admin: Services;
  let spender: Services;
  let second: Database;
  let owner: Actor;
  let alice: Actor;
  let teamId: number;
  let research: number;

  beforeEach(async () => {
    world = testWorld();
    world.clock.set(Date.UTC(2026, 0, 5, 9, 0));
    admin = world.services;
    second = await openAnother(world.db);
    spender = createServices({
      db: second,
      clock: new ManualClock(world.clock.now()),
      orgAdmins: [],
      inviteTtlDays: 7,
      timeZone: "UTC",
      workspaceAdminLookup: async () => false,
    });
    owner = world.user("owner");
    alice = world.user("alice");
    await admin.teams.create(owner, { name: "Org" });
    teamId = (await admin.teams.create(owner, { name: "Platform", parent: "Org" })).id;
    research = (await admin.teams.create(owner, { name: "Research", parent: "Org" })).id;
    await admin.members.add(owner, "Platform", [alice.userId]);
  });

  afterEach(async () => {
    await second.close();
  });

  const outcomes = async (events: SpendInput[], team = teamId, keyId?: number) =>
    (await spender.usage.record(world.workspaceId, team, events, { keyId })).results.map((r) =>
      r.status === "rejected" ? r.reason : r.status,
    );

  /** A first batch, so the spender keeps Platform's context, then the change, then the next batch. */
  async function afterChange(change: () => Promise<unknown>, next: SpendInput[]): Promise<unknown[]> {
    expect(await outcomes([spend(alice.userId, 10)])).toEqual(["accepted"]);
    await change();
    return outcomes(next);
  }

  it("refuses a member removed since the last batch", async () => {
    const next = await afterChange(
      () => admin.members.remove(owner, "Platform", [alice.userId]),
      [spend(alice.userId, 10)],
    );
    expect(next).toEqual(["not_a_member"]);
  });

  it("refuses a member deactivated since, and accepts them again once reactivated", async () => {
    const next = await afterChange(
      () => admin.members.deactivate(owner, "Platform", [alice.userId]),
      [spend(alice.userId, 10)],
    );
    expect(next).toEqual(["inactive"]);
    await admin.members.reactivate(owner, "Platform", [alice.userId]);
    expect(await outcomes([spend(alice.userId, 10)])).toEqual(["accepted"]);
  });

  it("accepts a member added since, whom the kept context has never seen", async () => {
    const bob = world.user("bob");
    const next = await afterChange(
      () => admin.members.add(owner, "Platform", [bob.userId]),
      [spend(bob.userId, 10)],
    );
    expect(next).toEqual(["accepted"]);
  });

  it("measures against a member limit lowered since", async () => {
    const next = await afterChange(
      () => admin.limits.set(owner, "Platform", { userId: alice.userId, totalMax: 100 }),
      [spend(alice.userId, 80), spend(alice.userId, 20)],
    );
    // 10 spent before the limit; 80 fits under 100, 20 more does not.
    expect(next).toEqual(["accepted", "total_limit"]);
  });

  it("measures against a limit removed since: the spend it used to stop goes through", async () => {
    await admin.limits.set(owner, "Platform", { transactionMax: 50 });
    const next = await afterChange(
      () => admin.limits.set(owner, "Platform", { transactionMax: null }),
      [spend(alice.userId, 60)],
    );
    expect(next).toEqual(["accepted"]);
  });

  it("measures against a budget set on an ancestor since", async () => {
    const next = await afterChange(
      () => admin.limits.set(owner, "Org", { budget: true, totalMax: 50 }),
      [spend(alice.userId, 30), spend(alice.userId, 20)],
    );
    expect(next).toEqual(["accepted", "budget"]);
  });

  it("measures against the budget of a parent the team was moved under since", async () => {
    await admin.teams.create(owner, { name: "Lab" });
    await admin.limits.set(owner, "Lab", { budget: true, totalMax: 25 });
    const next = await afterChange(
      () => admin.teams.update(owner, "Platform", { parent: "Lab" }),
      [spend(alice.userId, 20), spend(alice.userId, 10)],
    );
    expect(next).toEqual(["accepted", "budget"]);
  });

  it("refuses a key revoked since, and records nothing", async () => {
    await admin.apiKeys.create(owner, "Platform", "ci");
    const [{ id: keyId }] = await world.db.dataSource.query<{ id: number }[]>(
      "SELECT id FROM api_keys WHERE team_id = ?",
      [teamId],
    );
    expect(await outcomes([spend(alice.userId, 10)], teamId, Number(keyId))).toEqual(["accepted"]);
    await admin.apiKeys.revoke(owner, "Platform", "ci");
    const late = spend(alice.userId, 10);
    expect(await rejectionOf(outcomes([late], teamId, Number(keyId)))).toBeInstanceOf(KeyRevoked);
    const rows = await world.db.dataSource.query<unknown[]>(
      "SELECT id FROM usage_events WHERE transaction_id = ?",
      [late.transactionId],
    );
    expect(rows).toHaveLength(0);
  });

  it("says the team is gone once it was deleted since", async () => {
    await admin.apiKeys.create(owner, "Platform", "ci");
    expect(await outcomes([spend(alice.userId, 10)])).toEqual(["accepted"]);
    await admin.members.remove(owner, "Platform", [alice.userId]);
    await admin.apiKeys.revoke(owner, "Platform", "ci");
    await admin.teams.delete(owner, "Platform");
    expect((await rejectionOf(outcomes([spend(alice.userId, 10)]))).message).toMatch(/no longer exists/);
  });

  it("decides on the totals another process spent since", async () => {
    await admin.limits.set(owner, "Platform", { budget: true, totalMax: 100 });
    const next = await afterChange(
      () => admin.usage.record(world.workspaceId, teamId, [spend(alice.userId, 85)]),
      [spend(alice.userId, 5), spend(alice.userId, 1)],
    );
    // 10 + 85 spent; 5 fits exactly, then nothing is left.
    expect(next).toEqual(["accepted", "budget"]);
  });

  it("decides a sibling team's batch on the ancestor budget this process just moved", async () => {
    const bob = world.user("bob");
    await admin.members.add(owner, "Research", [bob.userId]);
    await admin.limits.set(owner, "Org", { budget: true, totalMax: 100 });
    // Both teams' contexts are kept; each batch moves the Org budget the other decides on.
    expect(await outcomes([spend(bob.userId, 10)], research)).toEqual(["accepted"]);
    expect(await outcomes([spend(alice.userId, 40)])).toEqual(["accepted"]);
    expect(await outcomes([spend(bob.userId, 40)], research)).toEqual(["accepted"]);
    expect(await outcomes([spend(alice.userId, 11), spend(alice.userId, 10)])).toEqual([
      "budget",
      "accepted",
    ]);
    expect(await outcomes([spend(bob.userId, 1)], research)).toEqual(["budget"]);
  });
});
