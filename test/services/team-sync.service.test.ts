import { beforeEach, describe, expect, it } from "vitest";
import { Conflict, Forbidden, InvalidInput } from "../../src/domain/errors";
import type { Actor } from "../../src/services/actor";
import { defaultHandle, syncHash, validHandle } from "../../src/services/team-sync.service";
import { openAnother, testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld, serviceWorld } from "../support/services";

describe("sync handles", () => {
  it("makes the default handle from the team's name, within Slack's 21 characters", () => {
    expect(defaultHandle({ id: 7, name: "AI Platform" })).toBe("ai-platform");
    expect(defaultHandle({ id: 7, name: "Équipe Données & ML" })).toBe("equipe-donnees-ml");
    expect(defaultHandle({ id: 7, name: "A very long team name indeed" })).toBe("a-very-long-team-name");
    expect(defaultHandle({ id: 7, name: "Research platforms x evals" })).toBe("research-platforms-x");
    expect(defaultHandle({ id: 7, name: "数据" })).toBe("team-7");
  });

  it("takes a handle with or without @, in any case, and refuses what Slack wouldn't", () => {
    expect(validHandle("@Platform-Team")).toBe("platform-team");
    expect(validHandle("ml_ops.eu")).toBe("ml_ops.eu");
    for (const bad of ["", "@", "-lead", "two words", "über", "x".repeat(22), "a!"]) {
      const error = (() => {
        try {
          validHandle(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(InvalidInput);
      expect((error as Error).message).toMatch(/^A handle is 1 to 21 lowercase letters/);
    }
  });
});

describe.each(testDatabases())("team sync records on $name", (kind) => {
  const testWorld = useServiceWorld(kind);
  let world: ServiceWorld;
  let owner: Actor;
  let member: Actor;

  beforeEach(async () => {
    world = testWorld();
    owner = world.user("owner");
    member = world.user("member");
    await world.services.teams.create(owner, { name: "AI Platform", channelId: "CPLATFORM1" });
    await world.services.members.add(owner, "AI Platform", [member.userId]);
  });

  const sync = () => world.services.teamSync;
  const trail = async () =>
    (await world.services.audit.activity(owner, "AI Platform", { pageSize: 100 })).events.map(
      (e) => e.action,
    );

  it("tells who is in step: the active members, sorted, and the handle", async () => {
    const target = await sync().target(owner, "ai platform");
    expect(target.handle).toBe("ai-platform");
    expect(target.members).toEqual([owner.userId, member.userId].sort());
    expect(target.sync).toBeNull();
    await world.services.members.deactivate(owner, "AI Platform", [member.userId]);
    expect((await sync().target(owner, "AI Platform", { handle: "@AIP" })).members).toEqual([owner.userId]);
    expect((await sync().target(owner, "AI Platform", { handle: "@AIP" })).handle).toBe("aip");
  });

  it("needs team:update, and says so", async () => {
    const refused = await rejectionOf(sync().target(member, "AI Platform"));
    expect(refused).toBeInstanceOf(Forbidden);
    expect(refused.message).toBe(
      "You need the team:update permission in AI Platform to keep AI Platform's user group and channel in step with its members; ask the team's owner or an admin.",
    );
  });

  it("records a sync once, audits what changed, and keeps the handle it was given", async () => {
    const { team, members } = await sync().target(owner, "AI Platform");
    const settings = { handle: "ai-platform", usergroupId: "S0001", channelId: team.channelId };
    await sync().save(owner, team.id, { ...settings, appliedHash: syncHash(settings, team, members) });
    await sync().save(owner, team.id, { ...settings, appliedHash: "again" });
    expect((await sync().target(owner, "AI Platform")).handle).toBe("ai-platform");
    await sync().save(owner, team.id, { ...settings, handle: "aip", appliedHash: "x" });
    expect((await sync().target(owner, "AI Platform")).handle).toBe("aip");
    const actions = await trail();
    expect(actions.filter((a) => a.startsWith("sync."))).toEqual(["sync.changed", "sync.started"]);
  });

  it("refuses a handle another team's sync uses, and a save by someone without team:update", async () => {
    const other = await world.services.teams.create(owner, { name: "Evals" });
    await sync().save(owner, other.id, {
      handle: "evals",
      usergroupId: null,
      channelId: null,
      appliedHash: "h",
    });
    const taken = await rejectionOf(sync().target(owner, "AI Platform", { handle: "Evals" }));
    expect(taken).toBeInstanceOf(Conflict);
    expect(taken.message).toBe(
      "@evals is already the user group of Evals; choose another handle with handle=<name>.",
    );
    const { team } = await sync().target(owner, "AI Platform");
    const settings = { handle: "aip", usergroupId: null, channelId: null, appliedHash: "h" };
    expect(await rejectionOf(sync().save(member, team.id, settings))).toBeInstanceOf(Forbidden);
    expect((await sync().states(world.workspaceId)).map((s) => s.team?.name)).toEqual(["Evals"]);
  });

  it("says a state changed when a member comes or goes, and forgets nothing until told", async () => {
    const { team, members } = await sync().target(owner, "AI Platform");
    const settings = { handle: "ai-platform", usergroupId: "S1", channelId: team.channelId };
    await sync().save(owner, team.id, { ...settings, appliedHash: syncHash(settings, team, members) });
    const inStep = async () => {
      const [state] = await sync().states(world.workspaceId);
      return state.hash === state.sync.appliedHash;
    };
    expect(await inStep()).toBe(true);
    await world.services.members.deactivate(owner, "AI Platform", [member.userId]);
    expect(await inStep()).toBe(false);
    const [state] = await sync().states(world.workspaceId);
    expect(state.members).toEqual([owner.userId]);
    await sync().markApplied(state.sync.id, state.hash);
    expect(await inStep()).toBe(true);
    await world.services.teams.update(owner, "AI Platform", { name: "AI Platform 2" });
    expect(await inStep()).toBe(false);
  });

  it("keeps a deleted team's sync, without its team, so its user group can be disabled", async () => {
    const { team } = await sync().target(owner, "AI Platform");
    await sync().save(owner, team.id, {
      handle: "aip",
      usergroupId: "S9",
      channelId: null,
      appliedHash: "h",
    });
    await world.services.teams.delete(owner, "AI Platform");
    const [orphan] = await sync().states(world.workspaceId);
    expect(orphan.team).toBeNull();
    expect(orphan.sync).toMatchObject({ teamId: null, usergroupId: "S9", handle: "aip" });
    await sync().forget(orphan.sync.id);
    expect(await sync().states(world.workspaceId)).toEqual([]);
  });

  it("stops a sync with an audit event, and says so when there is none", async () => {
    const { team } = await sync().target(owner, "AI Platform");
    await sync().save(owner, team.id, {
      handle: "aip",
      usergroupId: null,
      channelId: null,
      appliedHash: "h",
    });
    expect(await rejectionOf(sync().stop(member, "AI Platform"))).toBeInstanceOf(Forbidden);
    const stopped = await sync().stop(owner, "AI Platform");
    expect(stopped.sync.handle).toBe("aip");
    expect((await trail())[0]).toBe("sync.stopped");
    const again = await rejectionOf(sync().stop(owner, "AI Platform"));
    expect(again.message).toBe(
      `AI Platform isn't kept in step with Slack, so there is nothing to stop; /team sync "AI Platform" starts it.`,
    );
  });

  it("gives each interval's check of a sync to one of two processes", async () => {
    const { team } = await sync().target(owner, "AI Platform");
    const saved = await sync().save(owner, team.id, {
      handle: "aip",
      usergroupId: null,
      channelId: null,
      appliedHash: "h",
    });
    const second = await openAnother(world.db);
    try {
      const other = serviceWorld(second);
      other.clock.set(world.clock.now());
      world.clock.advance(15 * 60_000);
      other.clock.advance(15 * 60_000);
      const claims = await Promise.all([
        sync().claimCheck(saved.id, 14 * 60_000),
        other.services.teamSync.claimCheck(saved.id, 14 * 60_000),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await sync().claimCheck(saved.id, 14 * 60_000)).toBe(false);
      world.clock.advance(14 * 60_000);
      expect(await sync().claimCheck(saved.id, 14 * 60_000)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
