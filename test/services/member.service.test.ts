import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEventEntity } from "../../entities";
import type { Database } from "../../src/db/database";
import { Conflict, DomainError, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { newUserId, testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

interface Row {
  userId: string;
  role: string;
  status: string;
}

type ErrorClass = new (...args: never[]) => Error;

describe.each(testDatabases())("members on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  let owner: Actor;
  /** An org admin who only reads: rosters and audit trails of any team. */
  let reader: Actor;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    owner = world.user("owner");
    reader = world.user("reader");
    world.workspaceAdmins.add(reader.userId);
    await world.services.teams.create(owner, { name: "Platform" });
  });

  /** Everyone in the team as the database has them, by user ID. */
  async function roster(team = "Platform"): Promise<Row[]> {
    const { members } = await world.services.members.list(reader, team);
    return members
      .map((m) => ({ userId: m.userId, role: m.role.name, status: m.status }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
  }

  async function trail(team = "Platform"): Promise<{ events: AuditEventEntity[]; total: number }> {
    return world.services.audit.activity(reader, team, { pageSize: 100 });
  }

  /** The team's members and the length of its audit trail: what "nothing changed" compares. */
  async function state(team = "Platform"): Promise<{ members: Row[]; events: number }> {
    return { members: await roster(team), events: (await trail(team)).total };
  }

  /** The owner rows of a team, straight from the table the unique index guards. */
  async function ownerRows(teamId: number): Promise<{ userId: string; status: string }[]> {
    const rows: { user_id: string; status: string }[] = await db.dataSource.query(
      "SELECT user_id, status FROM memberships WHERE team_id = ? AND owner_marker = 1",
      [teamId],
    );
    return rows.map((r) => ({ userId: r.user_id, status: r.status }));
  }

  /** Runs `change`, expects it to write exactly one audit event, and returns that event. */
  async function oneEvent(change: () => Promise<unknown>, team = "Platform"): Promise<AuditEventEntity> {
    const before = (await trail(team)).total;
    await change();
    const after = await trail(team);
    expect(after.total).toBe(before + 1);
    return after.events[0];
  }

  /** Expects `call` to be refused with `type`, in one sentence matching `message`, changing nothing. */
  async function refused(
    call: () => Promise<unknown>,
    type: ErrorClass,
    message: RegExp,
    teams = ["Platform"],
  ): Promise<Error> {
    const before = await Promise.all(teams.map((t) => state(t)));
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^\S.*[.]$/);
    expect(error.message).not.toMatch(/\n/);
    expect(error.message.length).toBeLessThan(240);
    expect(await Promise.all(teams.map((t) => state(t)))).toEqual(before);
    return error;
  }

  async function addPeople(role: string, ...labels: string[]): Promise<Actor[]> {
    const people = labels.map((label) => world.user(label));
    await world.services.members.add(
      owner,
      "Platform",
      people.map((p) => p.userId),
      role,
    );
    return people;
  }

  const row = (actor: Actor, role: string, status = "active"): Row => ({
    userId: actor.userId,
    role,
    status,
  });
  const byUser = (rows: Row[]) => [...rows].sort((a, b) => a.userId.localeCompare(b.userId));

  describe("add", () => {
    it("adds people as members by default or with a role the adder may give, auditing each", async () => {
      const [bob, carol] = [world.user("bob"), world.user("carol")];
      const result = await world.services.members.add(owner, "Platform", [bob.userId, carol.userId]);
      expect(result).toEqual({ added: [bob.userId, carol.userId], already: [] });
      const dave = world.user("dave");
      const event = await oneEvent(() =>
        world.services.members.add(owner, "platform", [dave.userId], "Admin"),
      );
      expect(event).toMatchObject({
        actorUserId: owner.userId,
        action: "member.added",
        targetType: "user",
        targetId: dave.userId,
        before: null,
        after: { userId: dave.userId, role: "admin", status: "active" },
      });
      expect(await roster()).toEqual(
        byUser([row(owner, "owner"), row(bob, "member"), row(carol, "member"), row(dave, "admin")]),
      );
      const added = (await trail()).events.filter((e) => e.action === "member.added");
      expect(added.map((e) => e.targetId).sort()).toEqual([bob.userId, carol.userId, dave.userId].sort());
    });

    it("reports people already in the team and adds the rest; all already in is a Conflict", async () => {
      const [bob] = await addPeople("member", "bob");
      const carol = world.user("carol");
      const result = await world.services.members.add(owner, "Platform", [bob.userId, carol.userId], "admin");
      expect(result).toEqual({ added: [carol.userId], already: [bob.userId] });
      // Bob was reported, not changed: still a plain member.
      expect((await roster()).find((r) => r.userId === bob.userId)?.role).toBe("member");

      await refused(
        () => world.services.members.add(owner, "Platform", [bob.userId]),
        Conflict,
        new RegExp(`^<@${bob.userId}> is already in Platform`),
      );
      await refused(
        () => world.services.members.add(owner, "Platform", [bob.userId, carol.userId, owner.userId]),
        Conflict,
        /^Everyone you named is already in Platform\.$/,
      );
    });

    it("adds 300 people in one call, and refuses more than 500 or one bad ID without adding anyone", async () => {
      const crowd = Array.from({ length: 300 }, (_, i) => world.user(`p${i}`).userId);
      const result = await world.services.members.add(owner, "Platform", [...crowd, crowd[0]]);
      expect(result.added).toHaveLength(300);
      expect(await roster()).toHaveLength(301);
      expect((await trail()).total).toBe(301);

      const tooMany = Array.from({ length: 501 }, (_, i) => world.user(`q${i}`).userId);
      await refused(
        () => world.services.members.add(owner, "Platform", tooMany),
        InvalidInput,
        /at most 500/,
      );
      const fresh = world.user("fresh").userId;
      await refused(
        () => world.services.members.add(owner, "Platform", [fresh, "bob"]),
        InvalidInput,
        /“bob” is not a Slack user/,
      );
      await refused(
        () => world.services.members.add(owner, "Platform", []),
        InvalidInput,
        /at least one person/,
      );
    }, 60_000);

    it("needs members:manage, a known role and an existing team", async () => {
      const [bob] = await addPeople("member", "bob");
      const carol = world.user("carol");
      const error = await refused(
        () => world.services.members.add(bob, "Platform", [carol.userId]),
        Forbidden,
        /^You need the members:manage permission in Platform to add people to Platform/,
      );
      expect((error as Forbidden).permission).toBe("members:manage");
      await refused(
        () => world.services.members.add(owner, "Platform", [carol.userId], "wizard"),
        InvalidInput,
        /There is no role called “wizard”/,
      );
      await refused(
        () => world.services.members.add(owner, "Nowhere", [carol.userId]),
        NotFound,
        /There is no team called “Nowhere”/,
      );
    });
  });

  describe("join", () => {
    it("joins an open team at once as a member, audited with the joiner as actor", async () => {
      const bob = world.user("bob");
      let outcome: unknown;
      const event = await oneEvent(async () => {
        outcome = await world.services.members.join(bob, "PLATFORM");
      });
      expect(outcome).toMatchObject({ outcome: "joined", team: { name: "Platform" } });
      expect(event).toMatchObject({ actorUserId: bob.userId, action: "member.joined", targetId: bob.userId });
      expect(await roster()).toContainEqual(row(bob, "member"));
    });

    it("answers needs_approval for an approval team and adds nobody", async () => {
      await world.services.teams.update(owner, "Platform", { joinPolicy: "approval" });
      const bob = world.user("bob");
      const before = await state();
      await expect(world.services.members.join(bob, "Platform")).resolves.toMatchObject({
        outcome: "needs_approval",
      });
      expect(await state()).toEqual(before);
    });

    it("refuses an invite-only team, naming who to ask", async () => {
      await world.services.teams.update(owner, "Platform", { joinPolicy: "invite_only" });
      await refused(
        () => world.services.members.join(world.user("bob"), "Platform"),
        Forbidden,
        new RegExp(`^Platform is invite-only; ask <@${owner.userId}> or one of its admins to invite you\\.$`),
      );
    });

    it("refuses someone already in, and a deactivated member, who stays deactivated", async () => {
      const [bob, carol] = await addPeople("member", "bob", "carol");
      await refused(() => world.services.members.join(bob, "Platform"), Conflict, /^You're already a member/);
      await world.services.members.deactivate(owner, "Platform", [carol.userId]);
      await refused(
        () => world.services.members.join(carol, "Platform"),
        Conflict,
        /deactivated; ask one of its admins/,
      );
      expect(await roster()).toContainEqual(row(carol, "member", "inactive"));
    });
  });

  describe("leave", () => {
    it("lets a member leave, but not the owner, nor someone who isn't in", async () => {
      const [bob] = await addPeople("admin", "bob");
      const event = await oneEvent(() => world.services.members.leave(bob, "Platform"));
      expect(event).toMatchObject({
        actorUserId: bob.userId,
        action: "member.left",
        before: { userId: bob.userId, role: "admin", status: "active" },
        after: null,
      });
      expect(await roster()).toEqual([row(owner, "owner")]);
      await refused(
        () => world.services.members.leave(owner, "Platform"),
        Conflict,
        /^You own Platform; hand it/,
      );
      await refused(
        () => world.services.members.leave(bob, "Platform"),
        NotFound,
        /^You're not a member of Platform\.$/,
      );
    });
  });

  describe("remove, changeRole, deactivate, reactivate", () => {
    it("needs members:manage for each of them", async () => {
      const [bob, carol] = await addPeople("member", "bob", "carol");
      const target = [carol.userId];
      const members = world.services.members;
      for (const call of [
        () => members.remove(bob, "Platform", target),
        () => members.changeRole(bob, "Platform", target, "member"),
        () => members.deactivate(bob, "Platform", target),
        () => members.reactivate(bob, "Platform", target),
      ]) {
        const error = await refused(call, Forbidden, /^You need the members:manage permission in Platform/);
        expect((error as Forbidden).permission).toBe("members:manage");
      }
    });

    it("never removes, demotes or deactivates the owner, not even for an admin or org admin", async () => {
      const [admin] = await addPeople("admin", "admin");
      for (const actor of [admin, owner, reader]) {
        const members = world.services.members;
        const owns = /owns Platform; hand ownership to someone else with \/team transfer first\.$/;
        await refused(() => members.remove(actor, "Platform", [owner.userId]), Conflict, owns);
        await refused(() => members.changeRole(actor, "Platform", [owner.userId], "admin"), Conflict, owns);
        await refused(() => members.deactivate(actor, "Platform", [owner.userId]), Conflict, owns);
      }
      expect(await ownerRows((await world.services.teams.get(reader, "Platform")).team.id)).toEqual([
        { userId: owner.userId, status: "active" },
      ]);
    });

    it("changes nobody when one of the people named isn't a member or is the owner", async () => {
      const [bob, carol] = await addPeople("member", "bob", "carol");
      const stranger = world.user("stranger");
      const members = world.services.members;
      // The valid names come first, so a change applied one by one would already have touched them.
      for (const users of [
        [bob.userId, carol.userId, stranger.userId],
        [bob.userId, owner.userId],
      ]) {
        const type = users.includes(owner.userId) ? Conflict : NotFound;
        const why = users.includes(owner.userId) ? /owns Platform/ : /isn't a member of Platform\.$/;
        await refused(() => members.remove(owner, "Platform", users), type, why);
        await refused(() => members.changeRole(owner, "Platform", users, "admin"), type, why);
        await refused(() => members.deactivate(owner, "Platform", users), type, why);
      }
      await members.deactivate(owner, "Platform", [bob.userId, carol.userId]);
      await refused(
        () => members.reactivate(owner, "Platform", [bob.userId, carol.userId, stranger.userId]),
        NotFound,
        new RegExp(`^<@${stranger.userId}> isn't a member of Platform\\.$`),
      );
      expect(await roster()).toEqual(
        byUser([row(owner, "owner"), row(bob, "member", "inactive"), row(carol, "member", "inactive")]),
      );
    });

    it("lets an admin change roles, deactivate, reactivate and remove, one audit event each", async () => {
      const [admin, bob] = await addPeople("member", "admin", "bob");
      await world.services.members.changeRole(owner, "Platform", [admin.userId], "admin");
      const members = world.services.members;

      const promoted = await oneEvent(() => members.changeRole(admin, "Platform", [bob.userId], "ADMIN"));
      expect(promoted).toMatchObject({
        actorUserId: admin.userId,
        action: "member.role_changed",
        targetId: bob.userId,
        before: { userId: bob.userId, role: "member", status: "active" },
        after: { userId: bob.userId, role: "admin", status: "active" },
      });
      const deactivated = await oneEvent(() => members.deactivate(admin, "Platform", [bob.userId]));
      expect(deactivated).toMatchObject({
        action: "member.deactivated",
        before: { role: "admin", status: "active" },
        after: { role: "admin", status: "inactive" },
      });
      expect(await roster()).toContainEqual(row(bob, "admin", "inactive"));
      const reactivated = await oneEvent(() => members.reactivate(admin, "Platform", [bob.userId]));
      expect(reactivated).toMatchObject({
        action: "member.reactivated",
        before: { status: "inactive" },
        after: { status: "active" },
      });
      const removed = await oneEvent(() => members.remove(admin, "Platform", [bob.userId]));
      expect(removed).toMatchObject({
        actorUserId: admin.userId,
        action: "member.removed",
        before: { userId: bob.userId, role: "admin", status: "active" },
        after: null,
      });
      expect(await roster()).toEqual(byUser([row(owner, "owner"), row(admin, "admin")]));
    });

    it("writes no event when the change changes nothing", async () => {
      const [bob] = await addPeople("member", "bob");
      const before = await state();
      await world.services.members.changeRole(owner, "Platform", [bob.userId], "member");
      await world.services.members.reactivate(owner, "Platform", [bob.userId]);
      expect(await state()).toEqual(before);
    });
  });

  describe("transfer", () => {
    it("hands ownership to an active member; the old owner becomes an admin", async () => {
      const [bob] = await addPeople("member", "bob");
      const event = await oneEvent(() => world.services.members.transfer(owner, "Platform", bob.userId));
      expect(event).toMatchObject({
        actorUserId: owner.userId,
        action: "team.transferred",
        before: { ownerId: owner.userId },
        after: { ownerId: bob.userId },
      });
      expect(await roster()).toEqual(byUser([row(owner, "admin"), row(bob, "owner")]));
      expect((await world.services.teams.get(owner, "Platform")).ownerId).toBe(bob.userId);
      // The old owner now holds what an admin holds, and no longer team:transfer.
      await refused(
        () => world.services.members.transfer(owner, "Platform", owner.userId),
        Forbidden,
        /team:transfer permission/,
      );
    });

    it("is for the owner or an org admin only", async () => {
      const [admin, bob] = await addPeople("admin", "admin", "bob");
      await world.services.members.changeRole(owner, "Platform", [bob.userId], "member");
      for (const actor of [admin, bob, world.user("outsider")]) {
        const error = await refused(
          () => world.services.members.transfer(actor, "Platform", bob.userId),
          Forbidden,
          /^You need the team:transfer permission in Platform to hand over Platform/,
        );
        expect((error as Forbidden).permission).toBe("team:transfer");
      }
      const event = await oneEvent(() => world.services.members.transfer(reader, "Platform", admin.userId));
      expect(event).toMatchObject({ actorUserId: reader.userId, before: { ownerId: owner.userId } });
      expect(await roster()).toEqual(byUser([row(owner, "admin"), row(admin, "owner"), row(bob, "member")]));
    });

    it("needs the new owner to be an active member other than the owner", async () => {
      const [bob] = await addPeople("member", "bob");
      await world.services.members.deactivate(owner, "Platform", [bob.userId]);
      const transfer = (to: string) => world.services.members.transfer(owner, "Platform", to);
      const stranger = world.user("stranger");
      await refused(
        () => transfer(stranger.userId),
        NotFound,
        /isn't in Platform; add them first, then transfer\.$/,
      );
      await refused(() => transfer(bob.userId), InvalidInput, /is deactivated in Platform; reactivate them/);
      await refused(() => transfer(owner.userId), InvalidInput, /already owns Platform\.$/);
      await refused(() => transfer("nobody"), InvalidInput, /“nobody” is not a Slack user/);
    });
  });

  describe("move", () => {
    beforeEach(async () => {
      await world.services.teams.create(owner, { name: "Search" });
    });

    it("moves people between teams, keeping roles the actor may give, and audits both sides", async () => {
      const [bob, carol] = await addPeople("admin", "bob", "carol");
      await world.services.members.changeRole(owner, "Platform", [carol.userId], "member");
      const before = { from: (await trail("Platform")).total, to: (await trail("Search")).total };
      const result = await world.services.members.move(owner, "Platform", "Search", [
        bob.userId,
        carol.userId,
      ]);
      expect(result.moved).toEqual([bob.userId, carol.userId]);
      expect(await roster("Platform")).toEqual([row(owner, "owner")]);
      expect(await roster("Search")).toEqual(
        byUser([row(owner, "owner"), row(bob, "admin"), row(carol, "member")]),
      );
      const out = await trail("Platform");
      const into = await trail("Search");
      expect(out.total - before.from).toBe(2);
      expect(into.total - before.to).toBe(2);
      expect(out.events[0]).toMatchObject({
        action: "member.moved_out",
        actorUserId: owner.userId,
        after: null,
      });
      expect(into.events.find((e) => e.targetId === bob.userId)).toMatchObject({
        action: "member.moved_in",
        after: { role: "admin", status: "active" },
      });
    });

    it("makes them members in the target when the actor can't give their role there", async () => {
      const [bob, mover] = await addPeople("admin", "bob", "mover");
      // In Search the mover is a plain member who may manage members through a team grant, and so
      // holds members:manage there but not the admin role's other permissions.
      await world.services.members.add(owner, "Search", [mover.userId]);
      await world.services.access.grant(owner, "Search", "members:manage");
      await world.services.members.move(mover, "Platform", "Search", [bob.userId]);
      expect(await roster("Search")).toContainEqual(row(bob, "member"));
      expect(await roster("Platform")).not.toContainEqual(expect.objectContaining({ userId: bob.userId }));
    });

    it("moves nobody when the move can't be done for everyone named", async () => {
      const [bob, carol] = await addPeople("member", "bob", "carol");
      await world.services.members.add(owner, "Search", [carol.userId]);
      const move = (actor: Actor, users: string[], to = "Search") =>
        world.services.members.move(actor, "Platform", to, users);
      const both = ["Platform", "Search"];
      await refused(() => move(owner, [bob.userId, carol.userId]), Conflict, /is already in Search\.$/, both);
      await refused(
        () => move(owner, [bob.userId, owner.userId]),
        Conflict,
        /owns Platform; transfer its ownership/,
        both,
      );
      await refused(
        () => move(owner, [bob.userId], "platform"),
        InvalidInput,
        /^Both teams are Platform/,
        both,
      );
      // Carol manages Platform but is a plain member of Search.
      await world.services.members.changeRole(owner, "Platform", [carol.userId], "admin");
      await refused(() => move(carol, [bob.userId]), Forbidden, /members:manage permission in Search/, both);
    });
  });

  describe("the privilege rule", () => {
    it("refuses to give a role carrying a permission the giver doesn't hold", async () => {
      await world.services.roles.create(reader, "manager", ["members:manage"]);
      const [manager, bob] = await addPeople("member", "manager", "bob");
      await world.services.members.changeRole(owner, "Platform", [manager.userId], "manager");
      const carol = world.user("carol");
      const cant =
        /^You can't give the admin role in Platform: it carries team:update, which you don't hold there\.$/;
      const error = await refused(
        () => world.services.members.add(manager, "Platform", [carol.userId], "admin"),
        Forbidden,
        cant,
      );
      expect((error as Forbidden).permission).toBe("team:update");
      await refused(
        () => world.services.members.changeRole(manager, "Platform", [bob.userId], "admin"),
        Forbidden,
        cant,
      );
      // What the manager holds, they may give.
      await world.services.members.add(manager, "Platform", [carol.userId], "manager");
      expect(await roster()).toContainEqual(row(carol, "manager"));
    });

    it("lets nobody assign the owner role, not even the owner or an org admin", async () => {
      const [bob] = await addPeople("member", "bob");
      const oneOwner = /^A team has exactly one owner; hand ownership over with \/team transfer/;
      const carol = world.user("carol");
      for (const actor of [owner, reader]) {
        await refused(
          () => world.services.members.add(actor, "Platform", [carol.userId], "owner"),
          InvalidInput,
          oneOwner,
        );
        await refused(
          () => world.services.members.changeRole(actor, "Platform", [bob.userId], "Owner"),
          InvalidInput,
          oneOwner,
        );
      }
    });
  });

  describe("org admins", () => {
    it("can do everything, as workspace admins, even in a private team they aren't in", async () => {
      await world.services.teams.update(owner, "Platform", {
        visibility: "private",
        joinPolicy: "invite_only",
      });
      const boss = world.user("boss");
      const [bob, carol] = [world.user("bob"), world.user("carol")];
      await expect(world.services.members.add(boss, "Platform", [bob.userId])).rejects.toThrow(NotFound);
      world.workspaceAdmins.add(boss.userId);
      // Slack's answer is cached for a minute: the promotion counts from then on.
      world.clock.advance(61_000);
      const members = world.services.members;
      await members.add(boss, "Platform", [bob.userId, carol.userId], "admin");
      await members.changeRole(boss, "Platform", [carol.userId], "member");
      await members.deactivate(boss, "Platform", [carol.userId]);
      await members.reactivate(boss, "Platform", [carol.userId]);
      await members.remove(boss, "Platform", [carol.userId]);
      await members.transfer(boss, "Platform", bob.userId);
      expect(await roster()).toEqual(byUser([row(owner, "admin"), row(bob, "owner")]));
      const { events } = await trail();
      expect(events.slice(0, 6).map((e) => [e.actorUserId, e.action])).toEqual(
        [
          "team.transferred",
          "member.removed",
          "member.reactivated",
          "member.deactivated",
          "member.role_changed",
          "member.added",
        ].map((action) => [boss.userId, action]),
      );
    });

    it("can do everything when named in ORG_ADMINS", async () => {
      const bossId = newUserId("boss");
      const configured = serviceWorld(db, { orgAdmins: [bossId] });
      const boss = { workspaceId: configured.workspaceId, userId: bossId };
      const founder = configured.user("founder");
      await configured.services.teams.create(founder, { name: "Vault", visibility: "private" });
      const bob = configured.user("bob");
      await configured.services.members.add(boss, "Vault", [bob.userId], "admin");
      await configured.services.members.transfer(boss, "Vault", bob.userId);
      await configured.services.members.remove(boss, "Vault", [founder.userId]);
      const { members } = await configured.services.members.list(boss, "Vault");
      expect(members.map((m) => [m.userId, m.role.name])).toEqual([[bob.userId, "owner"]]);
      // The same user is nobody special in a world that doesn't name them.
      const plain = serviceWorld(db);
      await plain.services.teams.create(plain.user("x"), { name: "Vault", visibility: "private" });
      await expect(
        plain.services.members.add({ workspaceId: plain.workspaceId, userId: `${bossId}X` }, "Vault", [
          bob.userId,
        ]),
      ).rejects.toThrow(NotFound);
    });
  });

  describe("inactive members", () => {
    it("hold no permissions until reactivated", async () => {
      const [admin, bob] = await addPeople("admin", "admin", "bob");
      await world.services.access.grant(owner, "Platform", "usage:view_all");
      await world.services.members.deactivate(owner, "Platform", [admin.userId]);
      await refused(
        () => world.services.members.remove(admin, "Platform", [bob.userId]),
        Forbidden,
        /members:manage/,
      );
      await refused(
        () => world.services.members.add(admin, "Platform", [world.user().userId]),
        Forbidden,
        /members:manage/,
      );
      const details = await world.services.teams.get(admin, "Platform");
      // Neither the admin role's permissions nor the team's grant: only seeing the team.
      expect(details.viewerPermissions).toEqual(["team:view"]);
      await world.services.members.reactivate(owner, "Platform", [admin.userId]);
      await world.services.members.remove(admin, "Platform", [bob.userId]);
      expect((await world.services.teams.get(admin, "Platform")).viewerPermissions).toContain(
        "usage:view_all",
      );
    });
  });

  describe("races", () => {
    const ROUNDS = 10;

    async function raceTeam(round: number, ...labels: string[]) {
      const name = `Race ${round}`;
      const team = await world.services.teams.create(owner, { name });
      const people = labels.map((label) => world.user(label));
      await world.services.members.add(
        owner,
        name,
        people.map((p) => p.userId),
      );
      return { name, team, people };
    }

    function refusedCleanly(results: PromiseSettledResult<unknown>[]): void {
      for (const result of results) {
        // The loser is told in a sentence (a DomainError), never a raw database error.
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(DomainError);
      }
    }

    it("leaves exactly one owner after two concurrent transfers to different members", async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { name, team, people } = await raceTeam(round, "bob", "carol");
        const results = await Promise.allSettled(
          people.map((p) => world.services.members.transfer(owner, name, p.userId)),
        );
        const owners = await ownerRows(team.id);
        expect(owners, `round ${round}`).toHaveLength(1);
        expect(people.map((p) => p.userId)).toContain(owners[0].userId);
        const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [people[i].userId] : []));
        expect(won).toEqual([owners[0].userId]);
        refusedCleanly(results);
        const { members } = await world.services.members.list(reader, name);
        expect(members.filter((m) => m.role.name === "owner").map((m) => m.userId)).toEqual(won);
        expect(members.find((m) => m.userId === owner.userId)?.role.name).toBe("admin");
        expect((await trail(name)).events.filter((e) => e.action === "team.transferred")).toHaveLength(1);
      }
    }, 60_000);

    it("leaves exactly one active owner when a transfer races the removal of its target", async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { name, team, people } = await raceTeam(round, "target", "admin");
        const [target, admin] = people;
        await world.services.members.changeRole(owner, name, [admin.userId], "admin");
        const transfer = () => world.services.members.transfer(owner, name, target.userId);
        const remove = () => world.services.members.remove(admin, name, [target.userId]);
        // Alternate who starts first, so both orders are tried even where transactions queue.
        const results = await Promise.allSettled(round % 2 ? [remove(), transfer()] : [transfer(), remove()]);
        const owners = await ownerRows(team.id);
        expect(owners, `round ${round}`).toHaveLength(1);
        expect(owners[0].status).toBe("active");
        const { members } = await world.services.members.list(reader, name);
        const ownerRow = members.find((m) => m.userId === owners[0].userId);
        expect(ownerRow?.role.name).toBe("owner");
        expect((await world.services.teams.get(reader, name)).ownerId).toBe(owners[0].userId);
        // Whichever came first won, and the other was refused.
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const transferred = results[round % 2 ? 1 : 0].status === "fulfilled";
        expect(owners[0].userId).toBe(transferred ? target.userId : owner.userId);
        refusedCleanly(results);
      }
    }, 60_000);

    it("leaves exactly one active owner when a transfer races the deactivation of its target", async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { name, team, people } = await raceTeam(round, "target");
        const [target] = people;
        const transfer = () => world.services.members.transfer(owner, name, target.userId);
        const deactivate = () => world.services.members.deactivate(reader, name, [target.userId]);
        const results = await Promise.allSettled(
          round % 2 ? [deactivate(), transfer()] : [transfer(), deactivate()],
        );
        const owners = await ownerRows(team.id);
        expect(owners, `round ${round}`).toHaveLength(1);
        expect(owners[0].status).toBe("active");
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const transferred = results[round % 2 ? 1 : 0].status === "fulfilled";
        expect(owners[0].userId).toBe(transferred ? target.userId : owner.userId);
        refusedCleanly(results);
      }
    }, 60_000);

    it("has the database itself refuse a second owner row", async () => {
      const [bob] = await addPeople("member", "bob");
      const team = (await world.services.teams.get(reader, "Platform")).team;
      const ownerRole = await db.read((repos) => repos.roles.findBuiltIn("owner"));
      const insert = (userId: string) =>
        db.dataSource.query(
          "INSERT INTO memberships (workspace_id, team_id, user_id, role_id, owner_marker, status, joined_at, updated_at) VALUES (?, ?, ?, ?, 1, 'active', 0, 0)",
          [world.workspaceId, team.id, userId, ownerRole.id],
        );
      await expect(insert(world.user("second").userId)).rejects.toThrow(/UNIQUE|Duplicate/i);
      // Nor may an existing member's row be marked as a second owner.
      await expect(
        db.dataSource.query("UPDATE memberships SET owner_marker = 1 WHERE team_id = ? AND user_id = ?", [
          team.id,
          bob.userId,
        ]),
      ).rejects.toThrow(/UNIQUE|Duplicate/i);
      expect(await ownerRows(team.id)).toEqual([{ userId: owner.userId, status: "active" }]);
    });
  });
});
