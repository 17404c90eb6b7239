import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld } from "../support/services";

const DAY = 86_400_000;

describe.each(testDatabases())("invitations on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  let owner: Actor;
  /** An org admin who only reads: rosters, pending lists and audit trails. */
  let reader: Actor;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    owner = world.user("owner");
    reader = world.user("reader");
    world.workspaceAdmins.add(reader.userId);
    await world.services.teams.create(owner, { name: "Platform" });
  });

  const members = async () => {
    const { members: rows } = await world.services.members.list(reader, "Platform");
    return new Map(rows.map((m) => [m.userId, m.role.name]));
  };
  const pending = async () => (await world.services.invitations.pending(reader, "Platform")).invitations;
  const actions = async () =>
    (await world.services.audit.activity(reader, "Platform", { pageSize: 100, sinceDays: 30 })).events
      .filter((e) => e.targetType === "invitation")
      .map((e) => e.action);

  /** Invites one person as `role` and returns the invitation's id. */
  async function invite(who: Actor, role = "member", by = owner): Promise<number> {
    const { outcomes } = await world.services.invitations.invite(
      by,
      "Platform",
      { users: [who.userId], emails: [] },
      role,
    );
    const id = outcomes[0].invitation?.id;
    if (id === undefined) throw new Error(`no invitation made: ${outcomes[0].kind}`);
    return id;
  }

  it("invites a user, who accepts and becomes a member with the invitation's role", async () => {
    const bob = world.user("bob");
    const id = await invite(bob, "admin");
    expect((await world.services.invitations.mine(bob)).map((i) => [i.id, i.role.name, i.team.name])).toEqual(
      [[id, "admin", "Platform"]],
    );
    expect((await members()).has(bob.userId)).toBe(false);

    const accepted = await world.services.invitations.accept(bob, id);
    expect(accepted.status).toBe("accepted");
    expect((await members()).get(bob.userId)).toBe("admin");
    expect(await pending()).toEqual([]);
    expect(await world.services.invitations.mine(bob)).toEqual([]);
    expect(await actions()).toEqual(["invitation.accepted", "invitation.created"]);
  });

  it("records a decline and a revoke, and neither makes a member", async () => {
    const [bob, carol] = [world.user("bob"), world.user("carol")];
    const bobs = await invite(bob);
    const carols = await invite(carol);
    expect((await world.services.invitations.decline(bob, bobs)).status).toBe("declined");
    expect((await world.services.invitations.revoke(owner, carols)).status).toBe("revoked");
    const refusal = await rejectionOf(world.services.invitations.accept(carol, carols));
    expect(refusal).toBeInstanceOf(Conflict);
    expect(refusal.message).toBe("That invitation was already revoked; nothing changed.");
    expect(await rejectionOf(world.services.invitations.accept(bob, bobs))).toBeInstanceOf(Conflict);
    const roster = await members();
    expect(roster.has(bob.userId) || roster.has(carol.userId)).toBe(false);
    expect((await actions()).sort()).toEqual([
      "invitation.created",
      "invitation.created",
      "invitation.declined",
      "invitation.revoked",
    ]);
  });

  it("says who is already a member, and renews a pending invitation instead of making a second", async () => {
    const [bob, carol] = [world.user("bob"), world.user("carol")];
    await world.services.members.add(owner, "Platform", [bob.userId]);
    const first = await invite(carol);
    const before = (await pending())[0].expiresAt;
    world.clock.advance(2 * DAY);

    const { outcomes } = await world.services.invitations.invite(owner, "Platform", {
      users: [bob.userId, carol.userId],
      emails: [],
    });
    expect(outcomes.map((o) => [o.invitee, o.kind])).toEqual([
      [bob.userId, "already_member"],
      [carol.userId, "renewed"],
    ]);
    const rows = await pending();
    expect(rows.map((r) => r.id)).toEqual([first]);
    expect(rows[0].expiresAt).toBe(before + 2 * DAY);
  });

  it("keeps an email invitation for someone not in the workspace until they join", async () => {
    const { outcomes } = await world.services.invitations.invite(owner, "Platform", {
      users: [],
      emails: ["Dana@Example.com"],
    });
    expect(outcomes.map((o) => [o.invitee, o.kind])).toEqual([["dana@example.com", "waiting_for_join"]]);
    const dana = world.user("dana");
    expect(await world.services.invitations.mine(dana)).toEqual([]);
    const claimed = await world.services.invitations.claimByEmail(
      world.workspaceId,
      dana.userId,
      "dana@EXAMPLE.com",
    );
    expect(claimed.map((i) => i.inviteeUserId)).toEqual([dana.userId]);
    // A redelivered team_join finds nothing left to claim.
    expect(
      await world.services.invitations.claimByEmail(world.workspaceId, dana.userId, "dana@example.com"),
    ).toEqual([]);
    await world.services.invitations.accept(dana, claimed[0].id);
    expect((await members()).get(dana.userId)).toBe("member");
  });

  it("lets only the invitee accept or decline", async () => {
    const [bob, mallory] = [world.user("bob"), world.user("mallory")];
    const id = await invite(bob);
    for (const answer of [world.services.invitations.accept, world.services.invitations.decline]) {
      const error = await rejectionOf(answer.call(world.services.invitations, mallory, id));
      expect(error).toBeInstanceOf(Forbidden);
      expect(error.message).toBe("This invitation is for someone else.");
    }
    // Even the team's owner can't answer for bob.
    expect(await rejectionOf(world.services.invitations.accept(owner, id))).toBeInstanceOf(Forbidden);
    expect((await pending()).map((i) => i.status)).toEqual(["pending"]);
    expect((await members()).has(mallory.userId)).toBe(false);
    expect(await rejectionOf(world.services.invitations.accept(bob, 987_654_321))).toBeInstanceOf(NotFound);
  });

  it("refuses to accept an expired invitation", async () => {
    const bob = world.user("bob");
    const id = await invite(bob);
    world.clock.advance(7 * DAY);
    const error = await rejectionOf(world.services.invitations.accept(bob, id));
    expect(error).toBeInstanceOf(Conflict);
    expect(error.message).toMatch(/^This invitation to Platform has expired; ask one of its admins/);
    expect(await world.services.invitations.mine(bob)).toEqual([]);
    // Still pending in the table (the expiry job, which sweeps every workspace, is tested on its
    // own), yet past its time: declining is refused the same way.
    expect((await rejectionOf(world.services.invitations.decline(bob, id))).message).toMatch(/has expired/);
    expect((await members()).has(bob.userId)).toBe(false);
    // Inviting again renews it, and then it can be accepted.
    expect(await invite(bob)).toBe(id);
    await world.services.invitations.accept(bob, id);
    expect((await members()).get(bob.userId)).toBe("member");
  });

  it("needs invites:manage to invite, list, resend and revoke", async () => {
    const [member, bob] = [world.user("member"), world.user("bob")];
    await world.services.members.add(owner, "Platform", [member.userId]);
    const id = await invite(bob);
    const calls = [
      () => world.services.invitations.invite(member, "Platform", { users: [bob.userId], emails: [] }),
      () => world.services.invitations.pending(member, "Platform"),
      () => world.services.invitations.resend(member, id),
      () => world.services.invitations.revoke(member, id),
    ];
    for (const call of calls) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(Forbidden);
      expect((error as Forbidden).permission).toBe("invites:manage");
      expect(error.message).toMatch(/^You need the invites:manage permission in Platform/);
    }
    expect((await pending()).map((i) => [i.id, i.status])).toEqual([[id, "pending"]]);
    // An admin has it.
    const admin = world.user("admin");
    await world.services.members.add(owner, "Platform", [admin.userId], "admin");
    expect((await world.services.invitations.resend(admin, id)).status).toBe("pending");
  });

  it("lets people give only roles they may assign", async () => {
    const [admin, inviter, bob] = [world.user("admin"), world.user("inviter"), world.user("bob")];
    await world.services.roles.create(reader, "recruiter", ["team:view", "invites:manage"]);
    await world.services.members.add(owner, "Platform", [admin.userId], "admin");
    await world.services.members.add(owner, "Platform", [inviter.userId], "recruiter");
    const people = { users: [bob.userId], emails: [] };
    const ownerRole = await rejectionOf(
      world.services.invitations.invite(admin, "Platform", people, "owner"),
    );
    expect(ownerRole).toBeInstanceOf(InvalidInput);
    expect(ownerRole.message).toMatch(/exactly one owner/);
    // A recruiter may invite, but not hand out more than invites:manage and team:view.
    const beyond = await rejectionOf(world.services.invitations.invite(inviter, "Platform", people, "admin"));
    expect(beyond).toBeInstanceOf(Forbidden);
    expect(beyond.message).toMatch(
      /^You can't give the admin role in Platform: it carries \S+, which you don't hold there\.$/,
    );
    const unknown = await rejectionOf(world.services.invitations.invite(admin, "Platform", people, "wizard"));
    expect(unknown.message).toMatch(/There is no role called “wizard”/);
    expect(await pending()).toEqual([]);
    await world.services.invitations.invite(inviter, "Platform", people, "Recruiter");
    expect((await pending()).map((i) => i.role.name)).toEqual(["recruiter"]);
  });

  it("refuses malformed emails and empty or oversized invites, inviting nobody", async () => {
    const bob = world.user("bob");
    const bad = await rejectionOf(
      world.services.invitations.invite(owner, "Platform", { users: [bob.userId], emails: ["not-an-email"] }),
    );
    expect(bad).toBeInstanceOf(InvalidInput);
    expect((bad as InvalidInput).field).toBe("email");
    const none = await rejectionOf(
      world.services.invitations.invite(owner, "Platform", { users: [], emails: [] }),
    );
    expect(none.message).toMatch(/at least one person/);
    const crowd = Array.from({ length: 501 }, (_, i) => world.user(`p${i}`).userId);
    expect(
      (await rejectionOf(world.services.invitations.invite(owner, "Platform", { users: crowd, emails: [] })))
        .message,
    ).toMatch(/at most 500/);
    expect(await pending()).toEqual([]);
  });

  it("settles ten concurrent Accept presses once: one membership, nine refusals", async () => {
    const bob = world.user("bob");
    const id = await invite(bob, "admin");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => world.services.invitations.accept(bob, id)),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const error of lost) expect(error).toBeInstanceOf(Conflict);
    expect((await members()).get(bob.userId)).toBe("admin");
    expect((await actions()).filter((a) => a === "invitation.accepted")).toHaveLength(1);
    const rows: { n: number | string }[] = await db.dataSource.query(
      "SELECT COUNT(*) AS n FROM memberships WHERE team_id = (SELECT team_id FROM invitations WHERE id = ?) AND user_id = ?",
      [id, bob.userId],
    );
    expect(Number(rows[0].n)).toBe(1);
  });

  it("settles Accept racing Revoke with exactly one outcome", async () => {
    const invitees = Array.from({ length: 6 }, (_, i) => world.user(`racer${i}`));
    const ids = await Promise.all(invitees.map((who) => invite(who)));
    await Promise.all(
      invitees.map(async (who, i) => {
        // Half start with Accept, half with Revoke, so each side gets to go first.
        const accepting = () => world.services.invitations.accept(who, ids[i]);
        const revoking = () => world.services.invitations.revoke(owner, ids[i]);
        let accept: PromiseSettledResult<unknown>;
        let revoke: PromiseSettledResult<unknown>;
        if (i % 2 === 0) [accept, revoke] = await Promise.allSettled([accepting(), revoking()]);
        else [revoke, accept] = await Promise.allSettled([revoking(), accepting()]);
        // One wins, the other is told it lost; never both, never neither.
        expect([accept.status, revoke.status].sort()).toEqual(["fulfilled", "rejected"]);
        const roster = await members();
        expect(roster.has(who.userId)).toBe(accept.status === "fulfilled");
      }),
    );
    const trail = await actions();
    const settled = trail.filter((a) => a === "invitation.accepted" || a === "invitation.revoked");
    expect(settled).toHaveLength(invitees.length);
    expect(await pending()).toEqual([]);
  });
});
