import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { newWorkspaceId, testDatabases } from "../support/databases";
import { type SlackWorld, slackWorld } from "../support/slack-app";
import { api, type ApiAnswer } from "../http/api-support";
import { changedTables, workspaceRows } from "./workspace-rows";

/*
 * SPEC section 5: the API key decides the team. A key reads and writes its own team (and reports
 * cover its sub-teams), never its parent, a sibling, another team's members or another workspace:
 * naming another team is answered exactly like naming a team that doesn't exist (404), and asking
 * about someone who is only in another team says "not a member" without a word of that team.
 */

const ALICE = "UALICE1"; // owns Platform (workspace A)
const BOB = "UBOB1"; // member of Platform and of its sub-team Evals
const CAROL = "UCAROL1"; // member of Other only, with a limit there
const DAVE = "UDAVE1"; // owns Other
const GRID = "W0GRID1"; // one person in both workspaces (Enterprise Grid): in Other, and in B's Platform

describe.each(testDatabases())("what an API key can reach on $name", (kind) => {
  let db: Database;
  let world: SlackWorld;
  const B = newWorkspaceId();
  const keys = { platform: "", evals: "", other: "", b: "" };
  const inA = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });
  const inB = (userId: string): Actor => ({ workspaceId: B, userId });

  beforeAll(async () => {
    db = await kind.open();
    world = await slackWorld(db);
    for (const id of [ALICE, BOB, CAROL, DAVE, GRID]) world.person(id);
    const { teams, members, apiKeys, limits } = world.roster.services;
    const platform = await teams.create(inA(ALICE), { name: "Platform" });
    const evals = await teams.create(inA(ALICE), { name: "Evals", parent: "Platform" });
    const other = await teams.create(inA(DAVE), { name: "Other" });
    await members.add(inA(ALICE), "Platform", [BOB]);
    await members.add(inA(ALICE), "Evals", [BOB]);
    await members.add(inA(DAVE), "Other", [CAROL, GRID]);
    await limits.set(inA(DAVE), "Other", { userId: CAROL, totalMax: 7777 });
    keys.platform = (await apiKeys.create(inA(ALICE), "Platform", "platform-ci")).key;
    keys.evals = (await apiKeys.create(inA(ALICE), "Evals", "evals-ci")).key;
    keys.other = (await apiKeys.create(inA(DAVE), "Other", "other-ci")).key;
    // Workspace B has a team of the same name, with the Grid user in it.
    const inBPlatform = await teams.create(inB(GRID), { name: "Platform" });
    keys.b = (await apiKeys.create(inB(GRID), "Platform", "b-ci")).key;

    const usage = world.roster.services.usage;
    const spend = (workspaceId: string, teamId: number, userId: string, tokens: number, resource: string) =>
      usage.record(workspaceId, teamId, [
        { transactionId: `${resource}-${userId}`, userId, tokens, resource },
      ]);
    await spend(world.workspaceId, platform.id, BOB, 100, "platform-model");
    await spend(world.workspaceId, evals.id, BOB, 50, "evals-model");
    await spend(world.workspaceId, other.id, CAROL, 300, "other-model");
    await spend(world.workspaceId, other.id, GRID, 400, "other-model");
    await spend(B, inBPlatform.id, GRID, 1000, "b-model");
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  const get = (key: string, query = "") => api(world, "GET", `/api/v1/usage${query}`, { key });
  const post = (key: string, path: string, body: unknown) => api(world, "POST", path, { key, body });
  /** Another team's name in an answer, or a number only its data has. */
  const OTHERS_DATA = /Other|other-model|b-model|7,?777|\b(300|400|1000|1,000)\b/;

  it("reports its own team and its sub-teams only, whatever the query asks", async () => {
    const report = await get(keys.platform, "?by=resource");
    expect(report.status).toBe(200);
    expect(report.json.total).toBe(150);
    expect(report.json.rows?.map((r) => r.key).sort()).toEqual(["evals-model", "platform-model"]);
    for (const query of [
      "",
      "?by=user",
      "?by=day",
      `?user=${GRID}`,
      `?user=${CAROL}`,
      "?team=platform",
      "?user=uwgrid@example.com",
    ]) {
      const answer = await get(keys.platform, query);
      expect(answer.status, query).toBe(200);
      expect(JSON.stringify(answer.json), query).not.toMatch(OTHERS_DATA);
    }
    // A sub-team's key sees the sub-team, not its parent.
    expect((await get(keys.evals)).json.total).toBe(50);
    // The same team name in another workspace is another team.
    const b = await get(keys.b, "?by=resource");
    expect(b.json.total).toBe(1000);
    expect(b.json.rows?.map((r) => r.key)).toEqual(["b-model"]);
  });

  it("answers a query about another team (a sibling, a sub-team by name, its parent) exactly like one about no team", async () => {
    const as404 = (answer: ApiAnswer, name: string) => {
      expect(answer.status, name).toBe(404);
      return JSON.stringify(answer.json).replaceAll(name, "Nowhere");
    };
    const nowhere = as404(await get(keys.platform, "?team=Nowhere"), "Nowhere");
    for (const [key, name] of [
      [keys.platform, "Other"],
      [keys.platform, "Evals"],
      [keys.evals, "Platform"],
      [keys.other, "Platform"],
      [keys.b, "Other"],
    ]) {
      expect(as404(await get(key, `?team=${encodeURIComponent(name)}`), name)).toBe(nowhere);
    }
  });

  it("writes nothing into another team, and says only “not a member” about its people", async () => {
    const before = await workspaceRows(db, world.workspaceId);
    const beforeB = await workspaceRows(db, B);
    const event = (user: string, team?: string) => ({
      ...(team && { team }),
      events: [{ transactionId: `cross-${user}-${team}`, user, tokens: 5, resource: "m" }],
    });
    for (const team of ["Other", "Evals"]) {
      const answer = await post(keys.platform, "/api/v1/usage", event(BOB, team));
      expect(answer.status, team).toBe(404);
      expect(answer.json.error?.field).toBe("team");
    }
    for (const [key, user] of [
      [keys.platform, CAROL],
      [keys.platform, DAVE],
      [keys.b, BOB],
      [keys.evals, DAVE],
    ]) {
      const answer = await post(key, "/api/v1/usage", event(user));
      expect(answer.json.results?.[0], user).toMatchObject({ status: "rejected", reason: "not_a_member" });
      expect(JSON.stringify(answer.json)).not.toMatch(OTHERS_DATA);

      const check = await post(key, "/api/v1/usage/check", { user, tokens: 1 });
      expect(check.json, user).toEqual({
        allowed: false,
        reason: "not_a_member",
        remaining: 0,
        transactionMax: 0,
      });

      const access = await post(key, "/api/v1/access/check", { user, permission: "team:view" });
      expect(access.json.allowed, user).toBe(false);
      expect(access.json.reason, user).not.toMatch(/Other|owner|admin|member of Other/);
      for (const team of ["Other", "Nowhere"]) {
        expect((await post(key, "/api/v1/usage/check", { team, user, tokens: 1 })).status).toBe(404);
        expect(
          (await post(key, "/api/v1/access/check", { team, user, permission: "team:view" })).status,
        ).toBe(404);
      }
    }
    expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
    expect(changedTables(beforeB, await workspaceRows(db, B))).toEqual([]);
  });

  it("still records for its own team, so the refusals above were about scope", async () => {
    const answer = await post(keys.platform, "/api/v1/usage", {
      events: [{ transactionId: "own-1", user: BOB, tokens: 5, resource: "platform-model" }],
    });
    expect(answer.json.results?.[0]?.status).toBe("accepted");
    expect((await get(keys.platform)).json.total).toBe(155);
    expect((await get(keys.other)).json.total).toBe(700);
  });
});
