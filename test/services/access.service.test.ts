import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEventEntity } from "../../entities";
import type { Database } from "../../src/db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { newUserId, testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

type ErrorClass = new (...args: never[]) => Error;

describe.each(testDatabases())("grants, shares and access checks on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  let owner: Actor;
  let admin: Actor;
  let bob: Actor;
  /** An org admin who only reads. */
  let reader: Actor;
  let teamId: number;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    [owner, admin, bob, reader] = ["owner", "admin", "bob", "reader"].map((label) => world.user(label));
    world.workspaceAdmins.add(reader.userId);
    teamId = (await world.services.teams.create(owner, { name: "Platform" })).id;
    await world.services.members.add(owner, "Platform", [admin.userId], "admin");
    await world.services.members.add(owner, "Platform", [bob.userId]);
  });

  /** The team's grants, shares and audit trail: what "nothing changed" compares. */
  async function state(team = "Platform") {
    const { grants, resources } = await world.services.access.list(reader, team);
    return {
      grants: grants.map((g) => g.permission),
      resources: resources.map((r) => [`${r.resourceType}:${r.resourceId}`, r.permissions]),
      events: (await world.services.audit.activity(reader, team, { pageSize: 100 })).total,
    };
  }

  async function refused(call: () => Promise<unknown>, type: ErrorClass, message: RegExp): Promise<Error> {
    const before = await state();
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^\S[^\n]*[.]$/);
    expect(error.message.length).toBeLessThan(240);
    expect(await state()).toEqual(before);
    return error;
  }

  async function oneEvent(change: () => Promise<unknown>): Promise<AuditEventEntity> {
    const before = (await world.services.audit.activity(reader, "Platform")).total;
    await change();
    const after = await world.services.audit.activity(reader, "Platform");
    expect(after.total).toBe(before + 1);
    return after.events[0];
  }

  const check = (user: Actor, permission: string, resource?: string) =>
    world.services.access.check(world.workspaceId, teamId, user.userId, permission, resource);

  async function permissionsOf(actor: Actor): Promise<string[]> {
    const team = (await world.services.teams.get(reader, "Platform")).team;
    return [...(await db.read((repos) => world.services.policy.permissions(repos, actor, team)))].sort();
  }

  describe("grant and revoke", () => {
    it("needs team:update", async () => {
      const error = await refused(
        () => world.services.access.grant(bob, "Platform", "usage:view_all"),
        Forbidden,
        /^You need the team:update permission in Platform to grant permissions in Platform/,
      );
      expect((error as Forbidden).permission).toBe("team:update");
      await world.services.access.grant(owner, "Platform", "usage:view_all");
      await refused(
        () => world.services.access.revoke(bob, "Platform", "usage:view_all"),
        Forbidden,
        /^You need the team:update permission in Platform to revoke permissions in Platform/,
      );
    });

    it("never grants an owner-only or unknown permission, not even for the owner or an org admin", async () => {
      for (const actor of [owner, reader]) {
        for (const permission of ["team:delete", "team:transfer", " team:transfer "]) {
          await refused(
            () => world.services.access.grant(actor, "Platform", permission),
            Forbidden,
            /^team:(delete|transfer) belongs to the team's owner alone and can't be granted to a whole team\.$/,
          );
        }
        await refused(
          () => world.services.access.grant(actor, "Platform", "fly"),
          InvalidInput,
          /^“fly” is not a permission; choose from /,
        );
      }
    });

    it("refuses to grant a permission the granter doesn't hold", async () => {
      await world.services.roles.create(reader, "editor", ["team:update"]);
      const editor = world.user("editor");
      await world.services.members.add(owner, "Platform", [editor.userId], "editor");
      const error = await refused(
        () => world.services.access.grant(editor, "Platform", "members:manage"),
        Forbidden,
        /^You need the members:manage permission in Platform to grant members:manage/,
      );
      expect((error as Forbidden).permission).toBe("members:manage");
      // What they hold, they may grant.
      await world.services.access.grant(editor, "Platform", "team:update");
      expect((await state()).grants).toEqual(["team:update"]);
    });

    it("refuses a duplicate grant as a Conflict, also when two race", async () => {
      await world.services.access.grant(admin, "Platform", "keys:manage");
      await refused(
        () => world.services.access.grant(owner, "platform", " keys:manage"),
        Conflict,
        /^keys:manage is already granted to Platform\.$/,
      );
      const results = await Promise.allSettled([
        world.services.access.grant(owner, "Platform", "limits:manage"),
        world.services.access.grant(admin, "Platform", "limits:manage"),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(Conflict);
      expect((await state()).grants).toEqual(["keys:manage", "limits:manage"]);
    });

    it("gives every active member the permission, and revoking takes it back", async () => {
      const carol = world.user("carol");
      await world.services.members.add(owner, "Platform", [carol.userId]);
      await world.services.members.deactivate(owner, "Platform", [carol.userId]);
      expect(await check(bob, "usage:view_all")).toEqual({
        allowed: false,
        reason: "role member lacks usage:view_all, and it is not granted to Platform",
      });

      const granted = await oneEvent(() => world.services.access.grant(admin, "Platform", "usage:view_all"));
      expect(granted).toMatchObject({
        actorUserId: admin.userId,
        action: "grant.added",
        targetType: "permission",
        targetId: "usage:view_all",
        before: null,
        after: { permission: "usage:view_all" },
      });
      expect(await check(bob, "usage:view_all")).toEqual({
        allowed: true,
        reason: "usage:view_all is granted to Platform",
      });
      expect(await permissionsOf(bob)).toEqual(["team:view", "usage:view_all"]);
      // An inactive member holds nothing, grant or not.
      expect(await check(carol, "usage:view_all")).toEqual({
        allowed: false,
        reason: "inactive in Platform",
      });
      expect(await permissionsOf(carol)).toEqual(["team:view"]);
      // Someone added later holds it too: it belongs to the team, not to a list of people.
      const dave = world.user("dave");
      await world.services.members.add(owner, "Platform", [dave.userId]);
      expect((await check(dave, "usage:view_all")).allowed).toBe(true);

      await refused(
        () => world.services.access.revoke(owner, "Platform", "keys:manage"),
        NotFound,
        /^“keys:manage” isn't granted to Platform; \/team info Platform lists its grants\.$/,
      );
      const revoked = await oneEvent(() => world.services.access.revoke(owner, "Platform", "usage:view_all"));
      expect(revoked).toMatchObject({
        actorUserId: owner.userId,
        action: "grant.removed",
        targetId: "usage:view_all",
        before: { permission: "usage:view_all" },
        after: null,
      });
      expect((await check(bob, "usage:view_all")).allowed).toBe(false);
      expect((await state()).grants).toEqual([]);
    });

    it("lets a granted permission do what it names: members:manage for all members", async () => {
      const carol = world.user("carol");
      await expect(world.services.members.add(bob, "Platform", [carol.userId])).rejects.toThrow(Forbidden);
      await world.services.access.grant(owner, "Platform", "members:manage");
      await world.services.members.add(bob, "Platform", [carol.userId]);
      // But a grant doesn't lift the privilege rule: bob still can't give what he doesn't hold.
      await expect(
        world.services.members.changeRole(bob, "Platform", [carol.userId], "admin"),
      ).rejects.toThrow(/can't give the admin role in Platform: it carries team:update/);
    });
  });

  describe("share and unshare", () => {
    it("needs team:update", async () => {
      await refused(
        () => world.services.access.share(bob, "Platform", "model:gpt-4o", ["read"]),
        Forbidden,
        /^You need the team:update permission in Platform to share resources with Platform/,
      );
      await world.services.access.share(admin, "Platform", "model:gpt-4o", ["read"]);
      await refused(
        () => world.services.access.unshare(bob, "Platform", "model:gpt-4o"),
        Forbidden,
        /team:update permission in Platform to stop sharing resources with Platform/,
      );
    });

    it("refuses anything that isn't type:id, or bad permissions, writing nothing", async () => {
      const share =
        (resource: string, permissions = ["read"]) =>
        () =>
          world.services.access.share(owner, "Platform", resource, permissions);
      const notResource = /is not a resource; write it as type:id, like model:gpt-4o\.$/;
      for (const resource of [
        "gpt-4o",
        ":gpt-4o",
        "model:",
        "Model:gpt-4o",
        "model:gpt 4o",
        "model:-leading",
        "1model:x",
        `model:${"x".repeat(192)}`,
        "model:a\u0000b",
        "",
      ]) {
        await refused(share(resource), InvalidInput, notResource);
      }
      const badPermissions =
        /^Give 1 to 20 permissions as lowercase words separated by commas, like read,execute\.$/;
      for (const permissions of [
        [],
        [" "],
        ["Read"],
        ["read write"],
        ["read", "x-y"],
        Array.from({ length: 21 }, (_, i) => `p${i}`),
      ]) {
        await refused(share("model:gpt-4o", permissions), InvalidInput, badPermissions);
      }
      await refused(
        () => world.services.access.unshare(owner, "Platform", "gpt-4o"),
        InvalidInput,
        notResource,
      );
      // The longest allowed ID and a rich one are resources.
      await world.services.access.share(owner, "Platform", `model:${"x".repeat(191)}`, ["read"]);
      await world.services.access.share(owner, "Platform", " dataset:org/set_v1.2@latest+b ", ["read"]);
      expect((await state()).resources.map(([name]) => name)).toEqual([
        "dataset:org/set_v1.2@latest+b",
        `model:${"x".repeat(191)}`,
      ]);
    });

    it("shares, replaces the permissions when shared again, and unshares, one audit event each", async () => {
      const shared = await oneEvent(() =>
        world.services.access.share(owner, "Platform", "model:gpt-4o", ["read", "execute", "read"]),
      );
      expect(shared).toMatchObject({
        actorUserId: owner.userId,
        action: "resource.shared",
        targetType: "resource",
        targetId: "model:gpt-4o",
        before: null,
        after: { permissions: ["read", "execute"] },
      });
      const reshared = await oneEvent(() =>
        world.services.access.share(admin, "Platform", "model:gpt-4o", ["read"]),
      );
      expect(reshared).toMatchObject({
        actorUserId: admin.userId,
        action: "resource.reshared",
        before: { permissions: ["read", "execute"] },
        after: { permissions: ["read"] },
      });
      expect((await state()).resources).toEqual([["model:gpt-4o", ["read"]]]);
      expect(await check(bob, "execute", "model:gpt-4o")).toEqual({
        allowed: false,
        reason: "model:gpt-4o is shared with Platform for read, not execute",
      });

      await refused(
        () => world.services.access.unshare(owner, "Platform", "model:claude"),
        NotFound,
        /^model:claude isn't shared with Platform\.$/,
      );
      const unshared = await oneEvent(() => world.services.access.unshare(admin, "Platform", "model:gpt-4o"));
      expect(unshared).toMatchObject({
        action: "resource.unshared",
        targetId: "model:gpt-4o",
        before: { permissions: ["read"] },
        after: null,
      });
      expect((await state()).resources).toEqual([]);
      expect(await check(bob, "read", "model:gpt-4o")).toEqual({
        allowed: false,
        reason: "model:gpt-4o is not shared with Platform",
      });
    });
  });

  describe("check", () => {
    it("decides by role, naming the role", async () => {
      expect(await check(owner, "team:delete")).toEqual({
        allowed: true,
        reason: "role owner includes team:delete",
      });
      expect(await check(admin, "members:manage")).toEqual({
        allowed: true,
        reason: "role admin includes members:manage",
      });
      expect(await check(admin, "team:transfer")).toEqual({
        allowed: false,
        reason: "role admin lacks team:transfer, and it is not granted to Platform",
      });
      expect(await check(bob, "team:view")).toEqual({
        allowed: true,
        reason: "role member includes team:view",
      });
      expect(await check(bob, "keys:manage")).toEqual({
        allowed: false,
        reason: "role member lacks keys:manage, and it is not granted to Platform",
      });
    });

    it("decides by shared resource, honouring resourceSharing=admins_only", async () => {
      await world.services.access.share(owner, "Platform", "model:gpt-4o", ["read", "execute"]);
      const allowed = { allowed: true, reason: "model:gpt-4o is shared with Platform for execute" };
      for (const user of [owner, admin, bob, reader])
        expect(await check(user, "execute", "model:gpt-4o")).toEqual(allowed);
      expect(await check(bob, "read", "model:claude")).toEqual({
        allowed: false,
        reason: "model:claude is not shared with Platform",
      });

      await world.services.teams.update(owner, "Platform", { resourceSharing: "admins_only" });
      expect(await check(bob, "execute", "model:gpt-4o")).toEqual({
        allowed: false,
        reason: "Platform shares resources with its admins only, and this user has role member",
      });
      for (const user of [owner, admin, reader])
        expect(await check(user, "execute", "model:gpt-4o")).toEqual(allowed);
      // A custom role, whatever it carries, is not an admin for sharing.
      await world.services.roles.create(reader, "editor", ["team:update"]);
      const editor = world.user("editor");
      await world.services.members.add(owner, "Platform", [editor.userId], "editor");
      expect(await check(editor, "execute", "model:gpt-4o")).toEqual({
        allowed: false,
        reason: "Platform shares resources with its admins only, and this user has role editor",
      });
    });

    it("refuses people who aren't members, and inactive members, whatever their role", async () => {
      await world.services.access.share(owner, "Platform", "model:gpt-4o", ["read"]);
      await world.services.access.grant(owner, "Platform", "usage:view_all");
      const outsider = world.user("outsider");
      const notMember = { allowed: false, reason: "not a member of Platform" };
      expect(await check(outsider, "team:view")).toEqual(notMember);
      expect(await check(outsider, "usage:view_all")).toEqual(notMember);
      expect(await check(outsider, "read", "model:gpt-4o")).toEqual(notMember);

      await world.services.members.deactivate(owner, "Platform", [admin.userId]);
      const inactive = { allowed: false, reason: "inactive in Platform" };
      expect(await check(admin, "members:manage")).toEqual(inactive);
      expect(await check(admin, "usage:view_all")).toEqual(inactive);
      expect(await check(admin, "read", "model:gpt-4o")).toEqual(inactive);
      await world.services.members.reactivate(owner, "Platform", [admin.userId]);
      expect((await check(admin, "members:manage")).allowed).toBe(true);
    });

    it("lets org admins do everything without being members, including via ORG_ADMINS", async () => {
      const orgAdmin = { allowed: true, reason: "org admin" };
      for (const permission of ["team:delete", "team:transfer", "members:manage"]) {
        expect(await check(reader, permission)).toEqual(orgAdmin);
      }
      expect(await check(reader, "read", "model:gpt-4o")).toEqual({
        allowed: false,
        reason: "model:gpt-4o is not shared with Platform",
      });

      const bossId = newUserId("boss");
      const configured = serviceWorld(db, { orgAdmins: [bossId] });
      const founder = configured.user("founder");
      const team = await configured.services.teams.create(founder, { name: "Vault", visibility: "private" });
      expect(
        await configured.services.access.check(configured.workspaceId, team.id, bossId, "team:delete"),
      ).toEqual(orgAdmin);
      // An org admin can also grant and share in a team they aren't in.
      const boss = { workspaceId: configured.workspaceId, userId: bossId };
      await configured.services.access.grant(boss, "Vault", "usage:view_all");
      await configured.services.access.share(boss, "Vault", "model:gpt-4o", ["read"]);
      expect((await configured.services.access.list(boss, "Vault")).grants.map((g) => g.permission)).toEqual([
        "usage:view_all",
      ]);
    });

    it("refuses questions it can't answer: unknown permission, bad resource, another workspace's team", async () => {
      await expect(check(bob, "fly")).rejects.toThrow(/^“fly” is not a permission; use one of team:view/);
      await expect(check(bob, "fly")).rejects.toBeInstanceOf(InvalidInput);
      await expect(check(bob, "read", "gpt-4o")).rejects.toBeInstanceOf(InvalidInput);
      const other = serviceWorld(db);
      await expect(
        other.services.access.check(other.workspaceId, teamId, bob.userId, "team:view"),
      ).rejects.toThrow(NotFound);
      await expect(
        world.services.access.check(world.workspaceId, teamId + 1_000_000, bob.userId, "team:view"),
      ).rejects.toThrow(/^That team no longer exists\.$/);
    });
  });
});
