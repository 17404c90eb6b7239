import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

describe.each(testDatabases())("join and limit requests on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let db: Database;
  let world: ServiceWorld;
  let owner: Actor;
  let admin: Actor;
  let member: Actor;
  let newcomer: Actor;
  let teamId: number;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    owner = world.user("owner");
    admin = world.user("admin");
    member = world.user("member");
    newcomer = world.user("newcomer");
    const team = await world.services.teams.create(owner, { name: "Platform", joinPolicy: "approval" });
    teamId = team.id;
    await world.services.members.add(owner, "Platform", [admin.userId], "admin");
    await world.services.members.add(owner, "Platform", [member.userId]);
  });

  async function rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return (await db.dataSource.query(sql, params)) as Record<string, unknown>[];
  }

  async function memberships(userId: string): Promise<number> {
    const found = await rows("SELECT id FROM memberships WHERE team_id = ? AND user_id = ?", [
      teamId,
      userId,
    ]);
    return found.length;
  }

  async function totalLimit(userId: string): Promise<number | null> {
    const [row] = await rows(
      "SELECT total_max FROM limits WHERE team_id = ? AND scope = 'member' AND subject_key = ?",
      [teamId, userId],
    );
    return row ? Number(row.total_max) : null;
  }

  async function status(requestId: number): Promise<string> {
    const [row] = await rows("SELECT status FROM approval_requests WHERE id = ?", [requestId]);
    return String(row.status);
  }

  it("keeps one pending request per person and team, and a new one after the decision", async () => {
    const first = await world.services.approvals.requestJoin(newcomer, "platform");
    expect(first.created).toBe(true);
    expect(first.request.team.name).toBe("Platform");
    const again = await world.services.approvals.requestJoin(newcomer, "Platform");
    expect(again).toMatchObject({ created: false, request: { id: first.request.id } });

    await world.services.approvals.decide(admin, first.request.id, false);
    expect(await memberships(newcomer.userId)).toBe(0);
    const after = await world.services.approvals.requestJoin(newcomer, "Platform");
    expect(after.created).toBe(true);
    expect(after.request.id).not.toBe(first.request.id);
  });

  it("takes join requests only for approval teams, and not from members", async () => {
    await world.services.teams.update(owner, "Platform", { joinPolicy: "open" });
    const open = await rejectionOf(world.services.approvals.requestJoin(newcomer, "Platform"));
    expect(open).toBeInstanceOf(InvalidInput);
    expect(open.message).toBe("Platform doesn't take join requests; try /team join Platform.");
    await world.services.teams.update(owner, "Platform", { joinPolicy: "approval" });
    expect(await rejectionOf(world.services.approvals.requestJoin(member, "Platform"))).toBeInstanceOf(
      Conflict,
    );
  });

  it("approves a join once: the requester becomes a member, and later presses change nothing", async () => {
    const { request } = await world.services.approvals.requestJoin(newcomer, "Platform");
    const decision = await world.services.approvals.decide(admin, request.id, true);
    expect(decision.outcome).toBe("decided");
    expect(decision.request).toMatchObject({ status: "approved", decidedBy: admin.userId });
    expect(await memberships(newcomer.userId)).toBe(1);

    const late = await world.services.approvals.decide(owner, request.id, false);
    expect(late.outcome).toBe("already_decided");
    expect(late.request).toMatchObject({ status: "approved", decidedBy: admin.userId });
    expect(await memberships(newcomer.userId)).toBe(1);
  });

  it("never lets anyone decide their own request", async () => {
    const { request } = await world.services.approvals.requestLimit(admin, "Platform", 500_000, "evals");
    const own = await rejectionOf(world.services.approvals.decide(admin, request.id, true));
    expect(own).toBeInstanceOf(Forbidden);
    expect(own.message).toBe("You can't decide your own request; another admin has to.");
    expect(await status(request.id)).toBe("pending");
    expect(await totalLimit(admin.userId)).toBeNull();
  });

  it("asks joins:decide for a join and limits:manage for a limit", async () => {
    const orgAdmin = world.user("org");
    world.workspaceAdmins.add(orgAdmin.userId);
    await world.services.roles.create(orgAdmin, "gatekeeper", ["joins:decide"]);
    const gatekeeper = world.user("gatekeeper");
    await world.services.members.add(owner, "Platform", [gatekeeper.userId], "gatekeeper");
    const join = (await world.services.approvals.requestJoin(newcomer, "Platform")).request;
    const limit = (await world.services.approvals.requestLimit(member, "Platform", 500_000)).request;

    for (const someone of [member, world.user("outsider")]) {
      const refused = await rejectionOf(world.services.approvals.decide(someone, join.id, true));
      expect(refused).toBeInstanceOf(Forbidden);
      expect((refused as Forbidden).permission).toBe("joins:decide");
    }
    const noLimits = await rejectionOf(world.services.approvals.decide(gatekeeper, limit.id, true));
    expect((noLimits as Forbidden).permission).toBe("limits:manage");
    expect(noLimits.message).toMatch(/^You need the limits:manage permission in Platform/);
    expect([await status(join.id), await status(limit.id)]).toEqual(["pending", "pending"]);

    expect((await world.services.approvals.decide(gatekeeper, join.id, true)).outcome).toBe("decided");
    expect((await world.services.approvals.decide(orgAdmin, limit.id, true)).outcome).toBe("decided");
    expect(await memberships(newcomer.userId)).toBe(1);
    expect(await totalLimit(member.userId)).toBe(500_000);
  });

  it("measures a request against the team default, and keeps its period when raising", async () => {
    await world.services.limits.set(owner, "Platform", { totalMax: 50_000, period: "weekly" });
    await expect(world.services.approvals.requestLimit(member, "Platform", 2_000)).rejects.toThrow(
      "Your total limit in Platform is already 50,000 tokens a week; ask for more than that.",
    );
    const { request } = await world.services.approvals.requestLimit(member, "Platform", 80_000);
    expect(request.details).toMatchObject({ total: 80_000, current: 50_000, period: "weekly" });
    await world.services.approvals.decide(admin, request.id, true);
    const explained = await world.services.limits.explain(member, "Platform");
    expect(explained.limits[0].limit).toMatchObject({ scope: "member", totalMax: 80_000, period: "weekly" });
  });

  it("raises the requester's total limit on approval and leaves it on denial", async () => {
    const denied = (await world.services.approvals.requestLimit(member, "Platform", 300_000, "batch jobs"))
      .request;
    // The card shows what is asked beside what they have now (here: no limit, so lifetime).
    expect(denied.details).toEqual({ total: 300_000, reason: "batch jobs", period: "none" });
    await world.services.approvals.decide(admin, denied.id, false);
    expect(await totalLimit(member.userId)).toBeNull();

    const approved = (await world.services.approvals.requestLimit(member, "Platform", 500_000)).request;
    await world.services.approvals.decide(owner, approved.id, true);
    expect(await totalLimit(member.userId)).toBe(500_000);

    const lower = await rejectionOf(world.services.approvals.requestLimit(member, "Platform", 400_000));
    expect(lower).toBeInstanceOf(InvalidInput);
    expect(lower.message).toBe(
      "Your total limit in Platform is already 500,000 tokens in all; ask for more than that.",
    );
    const outsider = await rejectionOf(world.services.approvals.requestLimit(newcomer, "Platform", 1_000));
    expect(outsider.message).toBe("Only active members of Platform can ask for a higher limit there.");
    expect(await rejectionOf(world.services.approvals.requestLimit(member, "Platform", 0))).toBeInstanceOf(
      InvalidInput,
    );
  });

  it("approves a join whose requester was added meanwhile without a second membership", async () => {
    const { request } = await world.services.approvals.requestJoin(newcomer, "Platform");
    await world.services.members.add(owner, "Platform", [newcomer.userId], "admin");
    const decision = await world.services.approvals.decide(admin, request.id, true);
    expect(decision.outcome).toBe("decided");
    expect(await memberships(newcomer.userId)).toBe(1);
    const { members } = await world.services.members.list(owner, "Platform");
    expect(members.find((m) => m.userId === newcomer.userId)?.role.name).toBe("admin");
  });

  it("decides once when many presses race, approve and deny mixed", async () => {
    const { request } = await world.services.approvals.requestJoin(newcomer, "Platform");
    const presses = Array.from({ length: 20 }, (_, i) =>
      world.services.approvals.decide(i % 2 ? admin : owner, request.id, i % 3 !== 0),
    );
    const decisions = await Promise.all(presses);
    const decided = decisions.filter((d) => d.outcome === "decided");
    expect(decided).toHaveLength(1);
    const approved = decided[0].request.status === "approved";
    expect(await status(request.id)).toBe(decided[0].request.status);
    expect(await memberships(newcomer.userId)).toBe(approved ? 1 : 0);
    const audit = await rows(
      "SELECT action FROM audit_events WHERE team_id = ? AND action IN ('request.approved', 'request.denied')",
      [teamId],
    );
    expect(audit).toHaveLength(1);
  });

  it("finds no request of another workspace", async () => {
    const { request } = await world.services.approvals.requestJoin(newcomer, "Platform");
    const elsewhere = serviceWorld(db);
    const stranger = elsewhere.user("stranger");
    elsewhere.workspaceAdmins.add(stranger.userId);
    expect(await rejectionOf(elsewhere.services.approvals.decide(stranger, request.id, true))).toBeInstanceOf(
      NotFound,
    );
    expect(await status(request.id)).toBe("pending");
  });
});
