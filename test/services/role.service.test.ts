import { beforeEach, describe, expect, it } from "vitest";
import type { RoleEntity } from "../../entities";
import type { Database } from "../../src/db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import { PERMISSIONS } from "../../src/domain/permissions";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

interface RoleEvent {
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

type ErrorClass = new (...args: never[]) => Error;

describe.each(testDatabases())("roles on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  /** An org admin: the only kind of user who may create or delete roles. */
  let boss: Actor;
  let owner: Actor;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    boss = world.user("boss");
    world.workspaceAdmins.add(boss.userId);
    owner = world.user("owner");
    await world.services.teams.create(owner, { name: "Platform" });
  });

  const summary = (roles: RoleEntity[]) => roles.map((r) => [r.name, r.builtIn, r.permissions]);

  /** Role events belong to no team, so they are read from the table, oldest first. */
  async function roleEvents(w: ServiceWorld = world): Promise<RoleEvent[]> {
    const rows: Record<string, string>[] = await db.dataSource.query(
      "SELECT * FROM audit_events WHERE workspace_id = ? AND team_id IS NULL ORDER BY id",
      [w.workspaceId],
    );
    const json = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));
    return rows.map((r) => ({
      actor: r.actor_user_id,
      action: r.action,
      target: r.target_id,
      before: json(r.before),
      after: json(r.after),
    }));
  }

  /** Expects `call` to be refused with `type` in one sentence, leaving roles and their trail alone. */
  async function refused(call: () => Promise<unknown>, type: ErrorClass, message: RegExp): Promise<Error> {
    const roles = summary(await world.services.roles.list(boss));
    const events = await roleEvents();
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^\S[^\n]*[.]$/);
    expect(error.message.length).toBeLessThan(240);
    expect(summary(await world.services.roles.list(boss))).toEqual(roles);
    expect(await roleEvents()).toEqual(events);
    return error;
  }

  async function permissionsOf(actor: Actor, teamName = "Platform"): Promise<string[]> {
    const team = (await world.services.teams.get(owner, teamName)).team;
    const held = await db.read((repos) => world.services.policy.permissions(repos, actor, team));
    return [...held].sort();
  }

  it("lists the built-in roles first, then the workspace's custom roles by name", async () => {
    const builtIns = summary(await world.services.roles.list(owner));
    expect(builtIns.map(([name, builtIn]) => [name, builtIn])).toEqual([
      ["owner", true],
      ["admin", true],
      ["member", true],
    ]);
    expect(builtIns[0][2]).toEqual([...PERMISSIONS]);
    expect(builtIns[1][2]).toEqual(PERMISSIONS.filter((p) => p !== "team:delete" && p !== "team:transfer"));
    expect(builtIns[2][2]).toEqual(["team:view"]);

    await world.services.roles.create(boss, "zeta", ["keys:manage"]);
    await world.services.roles.create(boss, "Alpha", ["usage:view_all"], "Reads everyone's usage");
    // Anyone may read the list, not only org admins.
    const roles = await world.services.roles.list(owner);
    expect(roles.map((r) => r.name)).toEqual(["owner", "admin", "member", "Alpha", "zeta"]);
    expect(roles[3]).toMatchObject({
      builtIn: false,
      description: "Reads everyone's usage",
      createdBy: boss.userId,
    });
  });

  it("creates a custom role for org admins only, and audits it", async () => {
    await refused(
      () => world.services.roles.create(owner, "reviewer", ["members:manage"]),
      Forbidden,
      /^Only org admins \(workspace admins and owners, or ORG_ADMINS\) can create roles\.$/,
    );
    const role = await world.services.roles.create(
      boss,
      " reviewer ",
      ["members:manage", "members:manage"],
      "  Reviews ",
    );
    expect(role).toMatchObject({
      name: "reviewer",
      builtIn: false,
      description: "Reviews",
      workspaceId: world.workspaceId,
    });
    expect(role.permissions).toContain("members:manage");
    expect(await roleEvents()).toEqual([
      {
        actor: boss.userId,
        action: "role.created",
        target: "reviewer",
        before: null,
        after: { name: "reviewer", description: "Reviews", permissions: role.permissions },
      },
    ]);
  });

  it("refuses bad roles with one clear sentence and writes nothing", async () => {
    await world.services.roles.create(boss, "Reviewer", ["members:manage"]);
    const create = (name: string, permissions: string[], description?: string) => () =>
      world.services.roles.create(boss, name, permissions, description);

    await refused(
      create("pilot", ["fly"]),
      InvalidInput,
      /^“fly” is not a permission; choose from team:view, /,
    );
    await refused(
      create("pilot", ["team:view", "Members:Manage"]),
      InvalidInput,
      /“Members:Manage” is not a permission/,
    );
    for (const ownerOnly of ["team:delete", "team:transfer"]) {
      await refused(
        create("pilot", ["team:update", ownerOnly]),
        InvalidInput,
        new RegExp(`^${ownerOnly} belongs to the team's owner alone and can't be part of a custom role\\.$`),
      );
    }
    for (const builtIn of ["admin", "Owner", "MEMBER"]) {
      await refused(create(builtIn, ["team:update"]), Conflict, /is a built-in role; choose another name/);
    }
    await refused(create("reviewer", ["team:update"]), Conflict, /^A role called reviewer already exists/);
    await refused(create("REVIEWER", ["keys:manage"]), Conflict, /already exists; choose another name\.$/);
    for (const name of ["", "   ", "1st", "two words", "x".repeat(41), "<b>", "rôle", "a\u0000b", "a:b"]) {
      await refused(
        create(name, ["team:update"]),
        InvalidInput,
        /^A role name is 1 to 40 letters, digits, - or _/,
      );
    }
    await refused(create("pilot", []), InvalidInput, /^A role needs at least one permission/);
    await refused(create("pilot", [" ", ""]), InvalidInput, /^A role needs at least one permission/);
    await refused(create("pilot", ["team:update"], "d".repeat(501)), InvalidInput, /at most 500 characters/);
  });

  it("makes one role of ten concurrent creates of the same name", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        world.services.roles.create(boss, i % 2 ? "Racer" : "racer", ["keys:manage"]),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(Conflict);
    expect((await world.services.roles.list(boss)).filter((r) => !r.builtIn)).toHaveLength(1);
    expect((await roleEvents()).map((e) => e.action)).toEqual(["role.created"]);
  });

  it("gives a member holding a custom role exactly that role's permissions", async () => {
    const auditor = await world.services.roles.create(boss, "auditor", ["usage:view_all", "limits:manage"]);
    const bob = world.user("bob");
    await world.services.members.add(owner, "Platform", [bob.userId], "Auditor");
    const expected = ["limits:manage", "team:view", "usage:view_all"];
    expect([...auditor.permissions].sort()).toEqual(expected);
    expect(await permissionsOf(bob)).toEqual(expected);

    const team = (await world.services.teams.get(owner, "Platform")).team;
    for (const permission of PERMISSIONS) {
      const decision = await world.services.access.check(world.workspaceId, team.id, bob.userId, permission);
      expect(decision.allowed, permission).toBe(expected.includes(permission));
      expect(decision.reason).toBe(
        expected.includes(permission)
          ? `role auditor includes ${permission}`
          : `role auditor lacks ${permission}, and it is not granted to Platform`,
      );
    }
    // And the permissions behave: limits:manage is not members:manage.
    await expect(world.services.members.add(bob, "Platform", [world.user().userId])).rejects.toThrow(
      /members:manage/,
    );
  });

  it("refuses to delete a role while anyone holds it, and deletes it once nobody does", async () => {
    await world.services.roles.create(boss, "reviewer", ["members:manage"]);
    const [bob, carol] = [world.user("bob"), world.user("carol")];
    await world.services.members.add(owner, "Platform", [bob.userId, carol.userId], "reviewer");
    await world.services.members.deactivate(owner, "Platform", [carol.userId]);
    await refused(
      () => world.services.roles.delete(boss, "Reviewer"),
      Conflict,
      /^reviewer is still held by 2 members and 0 pending invitations; give them another role first\.$/,
    );
    await world.services.members.changeRole(owner, "Platform", [bob.userId], "member");
    // An inactive holder still holds it.
    await refused(
      () => world.services.roles.delete(boss, "reviewer"),
      Conflict,
      /still held by 1 member and/,
    );
    await world.services.members.remove(owner, "Platform", [carol.userId]);

    await refused(
      () => world.services.roles.delete(owner, "reviewer"),
      Forbidden,
      /^Only org admins .* can delete roles\.$/,
    );
    const deleted = await world.services.roles.delete(boss, "REVIEWER");
    expect(deleted.name).toBe("reviewer");
    expect((await world.services.roles.list(boss)).map((r) => r.name)).toEqual(["owner", "admin", "member"]);
    expect((await roleEvents()).at(-1)).toEqual({
      actor: boss.userId,
      action: "role.deleted",
      target: "reviewer",
      before: { name: "reviewer", description: "", permissions: deleted.permissions },
      after: null,
    });
    await refused(
      () => world.services.members.add(owner, "Platform", [bob.userId], "reviewer"),
      InvalidInput,
      /^There is no role called “reviewer”/,
    );
    await refused(
      () => world.services.roles.delete(boss, "reviewer"),
      NotFound,
      /^There is no role called “reviewer”/,
    );
    for (const builtIn of ["owner", "Admin", "member"]) {
      await refused(
        () => world.services.roles.delete(boss, builtIn),
        InvalidInput,
        /is built in and can't be deleted\.$/,
      );
    }
  });

  it("keeps each workspace's custom roles to itself", async () => {
    await world.services.roles.create(boss, "reviewer", ["members:manage"]);
    const other = serviceWorld(db);
    const otherBoss = other.user("boss");
    other.workspaceAdmins.add(otherBoss.userId);
    const otherOwner = other.user("owner");
    await other.services.teams.create(otherOwner, { name: "Platform" });

    expect((await other.services.roles.list(otherBoss)).map((r) => r.name)).toEqual([
      "owner",
      "admin",
      "member",
    ]);
    await expect(
      other.services.members.add(otherOwner, "Platform", [other.user().userId], "reviewer"),
    ).rejects.toThrow(/^There is no role called “reviewer”/);
    await expect(other.services.roles.delete(otherBoss, "reviewer")).rejects.toThrow(NotFound);
    // The name is free there, and the two roles stay apart.
    const theirs = await other.services.roles.create(otherBoss, "Reviewer", ["keys:manage"]);
    await other.services.roles.delete(otherBoss, "reviewer");
    expect((await world.services.roles.list(boss)).find((r) => r.name === "reviewer")?.permissions).toContain(
      "members:manage",
    );
    expect(theirs.workspaceId).toBe(other.workspaceId);
    expect((await roleEvents(other)).map((e) => e.action)).toEqual(["role.created", "role.deleted"]);
    expect((await roleEvents()).map((e) => e.action)).toEqual(["role.created"]);
    // An org admin of one workspace is nobody in the other.
    await expect(
      world.services.roles.create({ ...otherBoss, workspaceId: world.workspaceId }, "x", ["keys:manage"]),
    ).rejects.toThrow(Forbidden);
  });
});
