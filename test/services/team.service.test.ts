import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

describe.each(testDatabases())("teams on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  let alice: Actor;

  beforeEach(() => {
    world = testWorld();
    db = world.db;
    alice = world.user("alice");
  });

  it("creates a team whose creator is its one owner, and records it in the audit trail", async () => {
    const team = await world.services.teams.create(alice, { name: "AI Platform", description: "Models" });
    const details = await world.services.teams.get(alice, "ai platform");
    expect(details.team.id).toBe(team.id);
    expect(details.ownerId).toBe(alice.userId);
    expect(details.memberCount).toBe(1);
    expect(details.viewerRole).toBe("owner");
    const activity = await world.services.audit.activity(alice, "AI Platform");
    expect(activity.events.map((e) => e.action)).toEqual(["team.created"]);
    expect(activity.events[0].actorUserId).toBe(alice.userId);
  });

  it("refuses a second team of the same name regardless of case and width", async () => {
    await world.services.teams.create(alice, { name: "Platform" });
    await expect(world.services.teams.create(world.user(), { name: "PLATFORM" })).rejects.toThrow(Conflict);
    await expect(world.services.teams.create(world.user(), { name: "ｐｌａｔｆｏｒｍ" })).rejects.toThrow(
      Conflict,
    );
    const page = await world.services.teams.search(alice);
    expect(page.total).toBe(1);
  });

  it("makes exactly one team and one owner from ten concurrent creates of the same name", async () => {
    const creators = Array.from({ length: 10 }, (_, i) => world.user(`c${i}`));
    const results = await Promise.allSettled(
      creators.map((c) => world.services.teams.create(c, { name: "Racing" })),
    );
    const created = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(created).toHaveLength(1);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
    const { members } = await world.services.members.list(alice, "Racing");
    expect(members).toHaveLength(1);
    expect(members[0].role.name).toBe("owner");
  });

  it("rejects bad names with one clear sentence and writes nothing", async () => {
    const bad = ["", "   ", "x".repeat(81), "x".repeat(10_240), "a\u0000b", "<@U123>", "bold*"];
    for (const name of bad) {
      const error = await world.services.teams.create(alice, { name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInput);
      expect((error as Error).message).toMatch(/^[A-Z].*\.$/);
      expect((error as Error).message.length).toBeLessThan(200);
    }
    expect((await world.services.teams.search(alice)).total).toBe(0);
  });

  it("refuses unknown settings values and oversized metadata, changing nothing", async () => {
    await expect(
      world.services.teams.create(alice, { name: "A", visibility: "secret" as never }),
    ).rejects.toThrow(InvalidInput);
    await expect(
      world.services.teams.create(alice, { name: "A", joinPolicy: "sometimes" as never }),
    ).rejects.toThrow(/policy is one of/);
    await expect(world.services.teams.create(alice, { name: "A", channelId: "general" })).rejects.toThrow(
      InvalidInput,
    );
    await world.services.teams.create(alice, { name: "A", metadata: { costCenter: "42" } });
    await expect(world.services.teams.update(alice, "A", { metadata: { "bad key!": "x" } })).rejects.toThrow(
      InvalidInput,
    );
    await expect(
      world.services.teams.update(alice, "A", { metadata: { k: "v".repeat(300) } }),
    ).rejects.toThrow(InvalidInput);
    expect((await world.services.teams.get(alice, "A")).team.metadata).toEqual({ costCenter: "42" });
  });

  it("updates settings and metadata for team:update holders only, and audits before and after", async () => {
    await world.services.teams.create(alice, { name: "Search" });
    const bob = world.user("bob");
    await world.services.members.add(alice, "Search", [bob.userId]);
    await expect(world.services.teams.update(bob, "Search", { visibility: "private" })).rejects.toThrow(
      /You need the team:update permission in Search/,
    );
    const updated = await world.services.teams.update(alice, "Search", {
      name: "Search Infra",
      visibility: "private",
      joinPolicy: "approval",
      resourceSharing: "admins_only",
      channelId: "C0123ABC",
      metadata: { department: "R&D", costCenter: "7" },
    });
    expect(updated).toMatchObject({
      name: "Search Infra",
      visibility: "private",
      joinPolicy: "approval",
      channelId: "C0123ABC",
    });
    await world.services.teams.update(alice, "search infra", {
      metadata: { costCenter: null },
      channelId: null,
    });
    const details = await world.services.teams.get(alice, "Search Infra");
    expect(details.team.metadata).toEqual({ department: "R&D" });
    expect(details.team.channelId).toBeNull();
    const [latest] = (await world.services.audit.activity(alice, "Search Infra")).events;
    expect(latest.action).toBe("team.updated");
    expect(latest.before).toMatchObject({
      channelId: "C0123ABC",
      metadata: { department: "R&D", costCenter: "7" },
    });
    expect(latest.after).toMatchObject({ channelId: null, metadata: { department: "R&D" } });
  });

  it("builds sub-teams to any depth and refuses a cycle even at depth", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `Level ${i}`);
    await world.services.teams.create(alice, { name: names[0] });
    for (let i = 1; i < names.length; i++)
      await world.services.teams.create(alice, { name: names[i], parent: names[i - 1] });

    const tree = await world.services.teams.tree(alice, "Level 0");
    let depth = 0;
    for (let node = tree; node.children.length; node = node.children[0]) depth++;
    expect(depth).toBe(11);
    expect((await world.services.teams.ancestors(alice, "Level 11")).map((t) => t.name)).toEqual(
      names.slice(0, 11).reverse(),
    );

    await expect(world.services.teams.update(alice, "Level 0", { parent: "Level 11" })).rejects.toThrow(
      /would make a loop/,
    );
    await expect(world.services.teams.update(alice, "Level 5", { parent: "Level 5" })).rejects.toThrow(
      /its own parent/,
    );
    expect((await world.services.teams.get(alice, "Level 0")).team.parentId).toBeNull();
    await world.services.teams.update(alice, "Level 6", { parent: null });
    expect((await world.services.teams.get(alice, "Level 6")).parent).toBeNull();
  });

  it("closes the race of two moves that together would make a loop", async () => {
    await world.services.teams.create(alice, { name: "A" });
    await world.services.teams.create(alice, { name: "B" });
    const results = await Promise.allSettled([
      world.services.teams.update(alice, "A", { parent: "B" }),
      world.services.teams.update(alice, "B", { parent: "A" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const a = (await world.services.teams.get(alice, "A")).team;
    const b = (await world.services.teams.get(alice, "B")).team;
    expect(a.parentId === b.id && b.parentId === a.id).toBe(false);
  });

  it("needs team:update in the parent to create a sub-team there", async () => {
    await world.services.teams.create(alice, { name: "Parent" });
    const mallory = world.user("mallory");
    await expect(world.services.teams.create(mallory, { name: "Child", parent: "Parent" })).rejects.toThrow(
      Forbidden,
    );
    expect((await world.services.teams.search(alice, { text: "child" })).total).toBe(0);
  });

  it("deletes a team with team:delete only, refusing while it has sub-teams", async () => {
    await world.services.teams.create(alice, { name: "Root" });
    await world.services.teams.create(alice, { name: "Leaf", parent: "Root" });
    const admin = world.user("admin");
    await world.services.members.add(alice, "Root", [admin.userId], "admin");
    await expect(world.services.teams.delete(admin, "Root")).rejects.toThrow(/team:delete/);
    await expect(world.services.teams.delete(alice, "Root")).rejects.toThrow(/1 sub-team/);
    await world.services.teams.delete(alice, "Leaf");
    await world.services.teams.delete(alice, "Root");
    await expect(world.services.teams.get(alice, "Root")).rejects.toThrow(NotFound);
  });

  it("hides private teams from outsiders but not from members or org admins", async () => {
    await world.services.teams.create(alice, { name: "Secret", visibility: "private" });
    await world.services.teams.create(alice, { name: "Open" });
    const outsider = world.user("outsider");
    const orgAdmin = world.user("boss");
    world.workspaceAdmins.add(orgAdmin.userId);

    await expect(world.services.teams.get(outsider, "Secret")).rejects.toThrow(NotFound);
    await expect(world.services.members.join(outsider, "Secret")).rejects.toThrow(NotFound);
    expect((await world.services.teams.search(outsider)).teams.map((t) => t.name)).toEqual(["Open"]);
    expect((await world.services.teams.search(orgAdmin)).teams.map((t) => t.name)).toEqual([
      "Open",
      "Secret",
    ]);
    expect((await world.services.teams.search(alice)).total).toBe(2);
    // A private team is "not found", exactly like a team that doesn't exist: its name doesn't leak.
    const missing = (await rejectionOf(world.services.teams.get(outsider, "Nope"))).message;
    const hidden = (await rejectionOf(world.services.teams.get(outsider, "Secret"))).message;
    expect(hidden.replace("Secret", "Nope")).toBe(missing);
  });

  it("searches 1,000 teams by text, parent, member and permission, sorted and paged", async () => {
    await world.services.teams.create(alice, { name: "Org" });
    const bob = world.user("bob");
    for (let i = 0; i < 999; i++) {
      const owner = i % 100 === 0 ? bob : alice;
      const parent = i >= 1 && i <= 10 ? "Org" : undefined;
      await world.services.teams.create(owner, { name: `Team ${String(i).padStart(3, "0")}`, parent });
    }
    await world.services.members.add(alice, "Team 007", [bob.userId, world.user().userId]);

    const all = await world.services.teams.search(alice, { page: 2 });
    expect(all.total).toBe(1000);
    expect(all.pages).toBe(50);
    expect(all.teams.map((t) => t.name)[0]).toBe("Team 019");

    const text = await world.services.teams.search(alice, { text: "team 05" });
    expect(text.total).toBe(10);
    const children = await world.services.teams.search(alice, { parent: "org" });
    expect(children.total).toBe(10);
    const bobs = await world.services.teams.search(alice, { member: bob.userId });
    const bobOwns = ["000", "100", "200", "300", "400", "500", "600", "700", "800", "900"].map(
      (n) => `Team ${n}`,
    );
    expect(bobs.teams.map((t) => t.name)).toEqual([...bobOwns.slice(0, 1), "Team 007", ...bobOwns.slice(1)]);
    const bobCanDelete = await world.services.teams.search(bob, { permission: "team:delete" });
    expect(bobCanDelete.total).toBe(10);
    expect(bobCanDelete.teams.every((t) => t.name.endsWith("00"))).toBe(true);

    const byMembers = await world.services.teams.search(alice, { sort: "members", pageSize: 1 });
    expect(byMembers.teams[0]).toMatchObject({ name: "Team 007", memberCount: 3 });
    world.clock.advance(1000);
    await world.services.teams.create(alice, { name: "Newest" });
    expect((await world.services.teams.search(alice, { sort: "created", pageSize: 1 })).teams[0].name).toBe(
      "Newest",
    );
    await expect(world.services.teams.search(alice, { sort: "size" as never })).rejects.toThrow(InvalidInput);
    await expect(world.services.teams.search(alice, { permission: "fly" })).rejects.toThrow(InvalidInput);
  }, 120_000);

  it("keeps workspaces apart: a team name from another workspace is not found", async () => {
    await world.services.teams.create(alice, { name: "Shared Name" });
    const other = serviceWorld(db);
    const stranger = other.user("stranger");
    await expect(other.services.teams.get(stranger, "Shared Name")).rejects.toThrow(NotFound);
    await expect(other.services.members.join(stranger, "Shared Name")).rejects.toThrow(NotFound);
    // The same name is free in the other workspace, and each search sees only its own.
    await other.services.teams.create(stranger, { name: "Shared Name" });
    expect((await other.services.teams.search(stranger)).total).toBe(1);
    expect((await world.services.teams.search(alice)).total).toBe(1);
    await expect(
      other.services.teams.create(stranger, { name: "Child", parent: "Shared Name" }),
    ).resolves.toBeDefined();
    expect((await world.services.teams.tree(alice, "Shared Name")).children).toEqual([]);
  });

  it("refuses a parent from another workspace as not found", async () => {
    await world.services.teams.create(alice, { name: "Home" });
    const other = serviceWorld(db);
    const stranger = other.user();
    await expect(other.services.teams.create(stranger, { name: "Intruder", parent: "Home" })).rejects.toThrow(
      NotFound,
    );
    expect((await other.services.teams.search(stranger)).total).toBe(0);
  });
});
