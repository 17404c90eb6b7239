import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock";
import { type Config, loadConfig } from "../../src/config";
import type { Database } from "../../src/db/database";
import { handleRequestEscalation } from "../../src/jobs/request-escalation.job";
import { PeopleDirectory } from "../../src/slack/people";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";
import { newUserId, testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";
import { type SlackWorld, slackWorld } from "../support/slack-app";

const HOUR = 3_600_000;
/**
 * Tests on MySQL share one database, and the job escalates every workspace's due requests: the
 * clock starts long ago, so this job never reaches the requests of tests running meanwhile.
 */
const LONG_AGO = Date.UTC(2002, 2, 4, 10, 0, 0);

describe.each(testDatabases())("escalating undecided requests on $name", (kind) => {
  // Not useSlackWorld: each test's world is made for an org admin of its own.
  const testDb = useDatabase(kind);
  let db: Database;
  let world: SlackWorld;
  let config: Config;
  // People get IDs of their own in each test: the stand-in numbers its messages the same way in
  // every world, and a card is recorded by DM channel and ts, unique across the database.
  let orgAdmin: string;
  let alice: string; // owns Platform (and creates its sub-team)
  let carol: string; // an admin of Platform, not in its sub-team
  let bob: string; // asks to join
  let workspaceAdmin: string;

  beforeEach(async () => {
    db = testDb();
    orgAdmin = newUserId("orgadmin");
    config = loadConfig({ ORG_ADMINS: orgAdmin, JOIN_REQUEST_TTL_HOURS: "48" });
    world = await slackWorld(db, { orgAdmins: [orgAdmin] });
    world.clock.set(LONG_AGO);
    [alice, carol, bob] = [newUserId("alice"), newUserId("carol"), newUserId("bob")];
    for (const id of [alice, carol, bob, orgAdmin]) world.person(id);
    workspaceAdmin = world.person(newUserId("wsadmin"), { admin: true });
    // Admins users.list must not yield: a deactivated one, and a bot.
    world.slack.addUser({ id: "UGONEADMIN", name: "gone", isAdmin: true, deleted: true });
    world.slack.addUser({ id: "UBOTADMIN", name: "bot", isAdmin: true, isBot: true });
    await expectOk(world.command(alice, "create Platform"));
    await expectOk(world.command(alice, "create Evals parent=Platform policy=approval"));
    await expectOk(world.command(alice, "create Solo policy=approval"));
    await expectOk(world.command(alice, `add Platform <@${carol}> role=admin`));
  });
  afterEach(async () => {
    await world.close();
  });

  const run = (on: SlackWorld = world) =>
    handleRequestEscalation(on.roster.deps, on.roster.app.client, config);
  const ask = (team: string) =>
    world.roster.services.approvals.requestJoin({ workspaceId: world.workspaceId, userId: bob }, team);
  const cardsTo = (userId: string) =>
    world.slack.messagesTo(userId).filter((m) => JSON.stringify(m.blocks).includes("Escalated"));
  const escalationsIn = async (team: string) => {
    const page = await world.roster.services.audit.activity(
      { workspaceId: world.workspaceId, userId: alice },
      team,
      { sinceDays: 30, pageSize: 100 },
    );
    return page.events.filter((e) => e.action === "request.escalated");
  };

  it("escalates a sub-team's request once, after the TTL, to the parent team's admins", async () => {
    const { request } = await ask("Evals");

    world.clock.advance(47 * HOUR);
    expect(await run()).toEqual({ escalated: 0, undelivered: 0 });
    expect(cardsTo(carol)).toEqual([]);

    world.clock.advance(2 * HOUR);
    expect(await run()).toEqual({ escalated: 1, undelivered: 0 });
    const [card] = cardsTo(carol);
    expect(card.text).toBe(`<@${bob}> asks to join Evals.`);
    const blocks = JSON.stringify(card.blocks);
    expect(blocks).toContain(
      "Escalated to the admins of *Platform*: nobody in *Evals* decided it within 48 hours",
    );
    expect(blocks).toContain(`"value":"${request.id}"`);
    expect(blocks).toContain("request_approve:card");
    expect(cardsTo(alice)).toHaveLength(1);
    // Not the org admins: the parent team has admins of its own.
    expect(cardsTo(orgAdmin)).toEqual([]);
    expect(cardsTo(workspaceAdmin)).toEqual([]);
    expect(await escalationsIn("Evals")).toHaveLength(1);

    world.clock.advance(HOUR);
    expect(await run()).toEqual({ escalated: 0, undelivered: 0 });
    expect(cardsTo(carol)).toHaveLength(1);
    expect(await escalationsIn("Evals")).toHaveLength(1);

    // The card is a real one: Carol, an admin of Platform but not of Evals, decides it from there.
    const decision = await world.roster.services.approvals.decide(
      { workspaceId: world.workspaceId, userId: carol },
      request.id,
      true,
    );
    expect(decision.outcome).toBe("decided");
    const members = await world.command(alice, "members Evals");
    expect(JSON.stringify(members.json)).toContain(
      `*${bob.toLowerCase()}* · ${bob.toLowerCase()}@example.com · member`,
    );
  });

  it("escalates a top-level team's request to ORG_ADMINS and the workspace's admins", async () => {
    await ask("Solo");
    world.clock.advance(49 * HOUR);
    expect(await run()).toEqual({ escalated: 1, undelivered: 0 });

    for (const admin of [orgAdmin, workspaceAdmin]) {
      const [card] = cardsTo(admin);
      expect(JSON.stringify(card.blocks)).toContain(
        "Escalated to the org admins: nobody in *Solo* decided it",
      );
    }
    expect(cardsTo(alice)).toEqual([]);
    const dmed = world.slack.callsTo("chat.postMessage").map((c) => c.args.channel);
    expect(dmed).not.toContain("UGONEADMIN");
    expect(dmed).not.toContain("UBOTADMIN");
    expect(await escalationsIn("Solo")).toHaveLength(1);
  });

  it("escalates once when two processes run the job at the same moment", async () => {
    const second = await slackWorld(db, { orgAdmins: [orgAdmin], sameWorkspaceAs: world });
    try {
      await ask("Evals");
      await ask("Solo");
      world.clock.advance(49 * HOUR);
      const runs = await Promise.all([run(world), run(second), run(world), run(second)]);
      expect(runs.reduce((sum, r) => sum + r.escalated, 0)).toBe(2);
      expect(cardsTo(carol)).toHaveLength(1);
      expect(cardsTo(orgAdmin)).toHaveLength(1);
      expect(cardsTo(workspaceAdmin)).toHaveLength(1);
      expect(await escalationsIn("Evals")).toHaveLength(1);
      expect(await escalationsIn("Solo")).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it("tries again on the next run when Slack refused every escalation DM", async () => {
    await ask("Evals");
    world.clock.advance(49 * HOUR);
    // Both of Platform's deciders (Alice and Carol) are out of reach this time.
    world.slack.failNext("chat.postMessage", { error: "internal_error" }, 2);
    expect(await run()).toEqual({ escalated: 1, undelivered: 1 });
    expect(cardsTo(carol)).toEqual([]);
    world.clock.advance(HOUR);
    expect(await run()).toEqual({ escalated: 1, undelivered: 0 });
    expect(cardsTo(carol)).toHaveLength(1);
    expect(await run()).toEqual({ escalated: 0, undelivered: 0 });
  });

  it("leaves a decided request alone", async () => {
    const { request } = await ask("Evals");
    await world.roster.services.approvals.decide(
      { workspaceId: world.workspaceId, userId: alice },
      request.id,
      false,
    );
    world.clock.advance(49 * HOUR);
    expect(await run()).toEqual({ escalated: 0, undelivered: 0 });
    expect(cardsTo(carol)).toEqual([]);
  });

  it("still reaches ORG_ADMINS when Slack can't list the workspace's admins", async () => {
    await ask("Solo");
    world.clock.advance(49 * HOUR);
    world.slack.failNext("users.list", { error: "fatal_error" });
    expect(await run()).toEqual({ escalated: 1, undelivered: 0 });
    expect(cardsTo(orgAdmin)).toHaveLength(1);
    expect(cardsTo(workspaceAdmin)).toEqual([]);
    expect(world.logs.join("\n")).toContain("could not list the workspace's admins");
  });
});

async function expectOk(answer: Promise<{ status: number; json?: { text?: string } }>): Promise<void> {
  const result = await answer;
  expect(result.status).toBe(200);
  expect(result.json?.text ?? "").not.toMatch(/^(There is no|You need|Sorry)/);
}

describe("the workspace's admins, as escalations find them", () => {
  it("pages through users.list by cursor, skips deactivated accounts and bots, and caches", async () => {
    const slack = new SlackStandIn();
    await slack.start();
    try {
      const admins: string[] = [];
      for (let i = 0; i < 450; i++) {
        const id = `UPERSON${String(i).padStart(4, "0")}`;
        const admin = i % 100 === 7;
        slack.addUser({ id, name: id.toLowerCase(), isAdmin: admin, deleted: i === 207 });
        if (admin && i !== 207) admins.push(id);
      }
      slack.addUser({ id: "UOWNER1", name: "owner", isOwner: true });
      slack.addUser({ id: "UBOTADMIN", name: "bot", isAdmin: true, isBot: true });
      const clock = new ManualClock();
      const people = new PeopleDirectory(new WebClient("xoxb-test", { slackApiUrl: slack.apiUrl }), clock);

      expect(await people.workspaceAdmins()).toEqual([...admins, "UOWNER1"]);
      const pages = slack.callsTo("users.list");
      expect(pages.length).toBe(3);
      expect(pages.map((c) => c.args.cursor ?? null)[0]).toBeNull();
      expect(pages.slice(1).every((c) => typeof c.args.cursor === "string")).toBe(true);

      await people.workspaceAdmins();
      expect(slack.callsTo("users.list")).toHaveLength(3);
      clock.advance(5 * 60_000 + 1);
      await people.workspaceAdmins();
      expect(slack.callsTo("users.list")).toHaveLength(6);
    } finally {
      await slack.stop();
    }
  });
});
