import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleTeamSync } from "../../src/jobs/team-sync.job";
import type { Actor } from "../../src/services/actor";
import { STAND_IN_BOT_USER_ID, type StandInUserGroup } from "../../src/stand-in/slack-stand-in";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, commandReply, type SlackWorld, slackWorld } from "../support/slack-app";

const ALICE = "UALICE2"; // owns Platform
const BOB = "UBOB2";
const CAROL = "UCAROL2";
const DAVE = "UDAVE2";
const OUTSIDER = "UOUTSIDER2";
const CHANNEL = "CPLATFORM2";
/** The job's clock runs in a year no other test uses (job tests use 2001–2003). */
const IN_2004 = Date.UTC(2004, 4, 3, 9, 0, 0);
const QUARTER_HOUR = 15 * 60_000;

describe.each(testDatabases())("keeping a synced team in step on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let group: StandInUserGroup;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });
  const say = (userId: string, text: string) => commandReply(world, userId, text);
  const settle = () => world.roster.deps.sync.flush();
  const sorted = (ids: readonly string[]) => [...ids].sort();
  const inChannel = (id = CHANNEL) => sorted(world.slack.channels.get(id)?.members ?? []);

  beforeEach(async () => {
    world = testWorld();
    world.clock.set(IN_2004);
    for (const id of [ALICE, BOB, CAROL, DAVE, OUTSIDER]) world.person(id);
    world.slack.addChannel({ id: CHANNEL, name: "platform", members: [STAND_IN_BOT_USER_ID, ALICE] });
    await say(ALICE, `create Platform channel=<#${CHANNEL}|platform>`);
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB, CAROL]);
    expect((await say(ALICE, "sync Platform")).text).toContain("created with 3 members");
    const made = [...world.slack.userGroups.values()].find((g) => g.handle === "platform");
    if (!made) throw new Error("no user group");
    group = made;
  });

  /** Both the group and the channel hold exactly these people (and the channel, Roster). */
  function expectInStep(members: string[]): void {
    expect(sorted(group.users)).toEqual(sorted(members));
    expect(inChannel()).toEqual(sorted([STAND_IN_BOT_USER_ID, ...members]));
  }

  it("follows add, remove, deactivate, reactivate, leave and join as they happen", async () => {
    await say(ALICE, `add Platform <@${DAVE}>`);
    await settle();
    expectInStep([ALICE, BOB, CAROL, DAVE]);
    await say(ALICE, `remove Platform <@${BOB}>`);
    await settle();
    expectInStep([ALICE, CAROL, DAVE]);
    await say(ALICE, `deactivate Platform <@${CAROL}>`);
    await settle();
    expectInStep([ALICE, DAVE]);
    await say(ALICE, `reactivate Platform <@${CAROL}>`);
    await settle();
    expectInStep([ALICE, CAROL, DAVE]);
    await say(DAVE, "leave Platform");
    await settle();
    expectInStep([ALICE, CAROL]);
    await say(BOB, "join Platform");
    await settle();
    expectInStep([ALICE, BOB, CAROL]);
  });

  it("follows a move and a Confirm of several removals", async () => {
    await say(ALICE, "create Evals");
    await say(ALICE, `move Platform Evals <@${BOB}>`);
    await settle();
    expectInStep([ALICE, CAROL]);
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB, DAVE]);
    const preview = await say(ALICE, `remove Platform <@${BOB}> <@${DAVE}>`);
    const [confirm] = actionButtons(preview.blocks);
    await world.press(ALICE, confirm.action_id, confirm.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    await settle();
    expectInStep([ALICE, CAROL]);
  });

  it("renames the group with the team, keeps its handle, and only invites into a new channel", async () => {
    await say(ALICE, "set Platform name=Platform2");
    await settle();
    expect(group).toMatchObject({ name: "Platform2", handle: "platform" });
    world.slack.addChannel({ id: "CNEW2", name: "new", members: [STAND_IN_BOT_USER_ID, OUTSIDER] });
    await say(ALICE, "set Platform2 channel=<#CNEW2|new>");
    await settle();
    // Nobody confirmed removals from #new: its outsider stays, the members are invited.
    expect(inChannel("CNEW2")).toEqual(sorted([STAND_IN_BOT_USER_ID, OUTSIDER, ALICE, BOB, CAROL]));
    // Running /team sync for it shows the removal first.
    const preview = await say(ALICE, "sync Platform2");
    expect(preview.text).toContain(`remove 1 person who isn't an active member: <@${OUTSIDER}>`);
  });

  it("disables the user group of a deleted team and forgets its sync", async () => {
    const preview = await say(ALICE, "delete Platform");
    const [confirm] = actionButtons(preview.blocks);
    await world.press(ALICE, confirm.action_id, confirm.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    await settle();
    expect(group.enabled).toBe(false);
    expect(await world.roster.services.teamSync.states(world.workspaceId)).toEqual([]);
    // The channel keeps its people: deleting a team empties no channel.
    expect(inChannel()).toEqual(sorted([STAND_IN_BOT_USER_ID, ALICE, BOB, CAROL]));
  });

  it("retries a sync Slack failed on the next change, and the check repairs what changed in Slack", async () => {
    world.slack.failNext("usergroups.users.update", { status: 500 });
    await say(ALICE, `add Platform <@${DAVE}>`);
    await settle();
    expect(sorted(group.users)).toEqual(sorted([ALICE, BOB, CAROL]));
    expect(world.logs.some((l) => l.includes("could not keep a team's user group and channel in step"))).toBe(
      true,
    );
    world.roster.deps.sync.soon(world.workspaceId);
    await settle();
    expectInStep([ALICE, BOB, CAROL, DAVE]);

    // In Slack, someone takes Bob out of the group and Carol leaves the channel; an outsider joins.
    group.users = group.users.filter((u) => u !== BOB);
    const channel = world.slack.channels.get(CHANNEL);
    if (!channel) throw new Error("no channel");
    channel.members = [...channel.members.filter((u) => u !== CAROL), OUTSIDER];
    const deps = world.roster.deps;
    // Checked at most once per interval.
    expect(await handleTeamSync(deps)).toMatchObject({ checked: 0 });
    world.clock.advance(QUARTER_HOUR);
    expect(await handleTeamSync(deps)).toMatchObject({ checked: 1, failed: 0 });
    expectInStep([ALICE, BOB, CAROL, DAVE]);
  });

  it("leaves a group someone disabled in Slack alone until /team sync is run again", async () => {
    group.enabled = false;
    await say(ALICE, `add Platform <@${DAVE}>`);
    await settle();
    expect(group.users).not.toContain(DAVE);
    expect(inChannel()).toContain(DAVE);
    expect(group.enabled).toBe(false);
    const again = await say(ALICE, "sync Platform");
    expect(again.text).toContain(`• \`@platform\`: enabled again; added <@${DAVE}> (4 members).`);
    expectInStep([ALICE, BOB, CAROL, DAVE]);
  });

  describe("with two processes", () => {
    let second: SlackWorld | undefined;
    afterEach(async () => {
      await second?.close();
      second = undefined;
    });

    it("checks each synced team in one of them", async () => {
      second = await slackWorld(world.db, { sameWorkspaceAs: world });
      group.users = [ALICE];
      world.clock.advance(QUARTER_HOUR);
      world.slack.clear();
      const runs = await Promise.all([world, second].map((w) => handleTeamSync(w.roster.deps)));
      expect(runs.map((r) => r.checked).sort()).toEqual([0, 1]);
      expect(world.slack.callsTo("usergroups.users.update")).toHaveLength(1);
      expectInStep([ALICE, BOB, CAROL]);
    });
  });
});
