import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import { STAND_IN_BOT_USER_ID } from "../../src/stand-in/slack-stand-in";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, commandReply, type SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Platform
const BOB = "UBOB1"; // admin
const CAROL = "UCAROL1"; // member
const DAVE = "UDAVE1"; // in the workspace, not in the team
const OUTSIDER = "UOUTSIDER1"; // in the channel, not in the team
const HELPER = "UHELPERBOT1"; // another app's bot in the channel
const CHANNEL = "CPLATFORM1";

/** Web API methods that change something in Slack. */
const CHANGING = [
  "usergroups.create",
  "usergroups.update",
  "usergroups.enable",
  "usergroups.disable",
  "usergroups.users.update",
  "conversations.invite",
  "conversations.kick",
];

describe.each(testDatabases())("/team sync on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });
  const say = (userId: string, text: string) => commandReply(world, userId, text);

  beforeEach(async () => {
    world = testWorld();
    for (const id of [ALICE, BOB, CAROL, DAVE, OUTSIDER]) world.person(id);
    world.slack.addUser({ id: HELPER, name: "helper", isBot: true });
    world.slack.addChannel({
      id: CHANNEL,
      name: "platform",
      members: [STAND_IN_BOT_USER_ID, ALICE, OUTSIDER, HELPER],
    });
    expect((await say(ALICE, `create Platform channel=<#${CHANNEL}|platform>`)).text).toContain("Created");
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
    await world.roster.services.members.add(as(ALICE), "Platform", [CAROL]);
  });

  const group = (handle = "platform") =>
    [...world.slack.userGroups.values()].find((g) => g.handle === handle);
  const inChannel = (id = CHANNEL) => [...(world.slack.channels.get(id)?.members ?? [])].sort();
  const changes = () => world.slack.calls.filter((c) => CHANGING.includes(c.method));

  it("shows who would leave the channel first, then makes @platform and trims the channel on Confirm", async () => {
    const preview = await say(ALICE, "sync Platform");
    expect(preview.text).toContain(":warning: Keep *Platform* in step with its 3 active members:");
    expect(preview.text).toContain("• `@platform`: create it with 3 members.");
    expect(preview.text).toContain(
      `• <#${CHANNEL}>: invite <@${BOB}> and <@${CAROL}>; remove 1 person who isn't an active member: <@${OUTSIDER}>.`,
    );
    expect(preview.text).toContain("Nothing changes until you press Confirm.");
    const [confirm, cancel] = actionButtons(preview.blocks);
    expect(confirm).toMatchObject({ action_id: "team_confirm_command:yes", value: "sync Platform" });
    expect(JSON.stringify(confirm)).toContain("Sync and remove 1 person");
    expect(cancel.action_id).toBe("team_cancel_command:no");
    expect(changes()).toEqual([]);
    expect(group()).toBeUndefined();
    expect(inChannel()).toContain(OUTSIDER);

    await world.press(ALICE, confirm.action_id, confirm.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    const done = (world.slack.responses[0].body as { text: string }).text;
    expect(done).toContain("Platform is in step with its 3 active members:");
    expect(done).toContain("• `@platform`: created with 3 members.");
    expect(done).toContain(`• <#${CHANNEL}>: invited <@${BOB}> and <@${CAROL}>; removed <@${OUTSIDER}>.`);
    expect(done).toContain("/team sync Platform off` stops it.");

    expect(group()).toMatchObject({ name: "Platform", enabled: true });
    expect([...(group()?.users ?? [])].sort()).toEqual([ALICE, BOB, CAROL].sort());
    // Roster itself and the other app's bot stay; the outsider is out.
    expect(inChannel()).toEqual([STAND_IN_BOT_USER_ID, ALICE, BOB, CAROL, HELPER].sort());
    const activity = await say(ALICE, "activity Platform");
    expect(activity.all).toContain("started keeping `@platform` and the channel in step with the members");
  });

  it("makes no change when run again on a team already in step", async () => {
    await world.roster.services.members.add(as(ALICE), "Platform", [OUTSIDER]);
    expect((await say(ALICE, "sync Platform")).text).toContain("created with 4 members");
    world.slack.clear();
    const again = await say(BOB, "sync platform");
    expect(again.text).toContain("• `@platform`: already in step (4 members).");
    expect(again.text).toContain(`• <#${CHANNEL}>: already in step.`);
    await world.roster.deps.sync.flush();
    expect(changes()).toEqual([]);
  });

  it("without user groups (Slack's free plan) says so plainly and still keeps the channel in step", async () => {
    world.slack.userGroupsPlan = "free";
    await world.roster.services.members.add(as(ALICE), "Platform", [OUTSIDER]);
    const reply = await say(ALICE, "sync Platform");
    expect(reply.text).toContain(
      "• No user group: this workspace's Slack plan has no user groups (they come with Slack's paid plans); the channel is kept in step all the same.",
    );
    expect(reply.text).toContain(`invited <@${BOB}> and <@${CAROL}>`);
    expect(inChannel()).toEqual([STAND_IN_BOT_USER_ID, ALICE, BOB, CAROL, HELPER, OUTSIDER].sort());
    expect(world.slack.callsTo("usergroups.create")).toEqual([]);

    // Afterwards only the channel is touched: no user-group call at all.
    const listsBefore = world.slack.callsTo("usergroups.list").length;
    expect((await say(ALICE, `add Platform <@${DAVE}>`)).text).toContain("Added");
    await world.roster.deps.sync.flush();
    expect(inChannel()).toContain(DAVE);
    expect(world.slack.callsTo("usergroups.list")).toHaveLength(listsBefore);
  });

  it("refuses a team with neither a channel nor user groups, changing nothing", async () => {
    world.slack.userGroupsPlan = "free";
    await say(ALICE, "create Evals");
    const refused = await say(ALICE, "sync Evals");
    expect(refused.text).toBe(
      "Evals has no channel and this workspace's Slack plan has no user groups (they come with Slack's paid plans), so there is nothing to keep in step; give it a channel with /team set Evals channel=#….",
    );
    expect(changes()).toEqual([]);
  });

  it("syncs the user group alone for a team without a channel, and says how to add one", async () => {
    await say(ALICE, "create Evals");
    await world.roster.services.members.add(as(ALICE), "Evals", [CAROL]);
    const reply = await say(ALICE, "sync Evals");
    expect(reply.text).toContain("• `@evals`: created with 2 members.");
    expect(reply.text).toContain("has no channel; give it one with `/team set Evals channel=#…`");
    expect([...(group("evals")?.users ?? [])].sort()).toEqual([ALICE, CAROL].sort());
  });

  it("refuses a handle someone else's group holds, and one Slack refuses, changing nothing", async () => {
    await world.roster.services.members.add(as(ALICE), "Platform", [OUTSIDER]);
    world.slack.addUserGroup({ name: "Platform People", handle: "platform", users: [DAVE] });
    const taken = await say(ALICE, "sync Platform");
    expect(taken.text).toBe(
      "Slack already has a user group @platform (“Platform People”); choose another handle with /team sync Platform handle=<name>.",
    );
    world.slack.failNext("usergroups.create", { error: "handle_already_exists" });
    const refused = await say(ALICE, `sync Platform handle=plat`);
    expect(refused.text).toBe(
      "@plat is already taken in Slack (by a user group, a person or a channel); choose another handle with /team sync Platform handle=<name>.",
    );
    expect(changes().filter((c) => c.method !== "usergroups.create")).toEqual([]);
    expect(inChannel()).not.toContain(BOB);
    expect(group()?.users).toEqual([DAVE]);

    const chosen = await say(ALICE, "sync Platform handle=@Plat-Team");
    expect(chosen.text).toContain("• `@plat-team`: created with 4 members.");
  });

  it("refuses a bad handle and a handle that is a person, with one sentence each", async () => {
    expect((await say(ALICE, "sync Platform handle=no!")).text).toBe(
      "A handle is 1 to 21 lowercase letters, digits, -, _ or ., starting with a letter or digit (like handle=platform-team), not “no!”.",
    );
    expect((await say(ALICE, `sync Platform handle=<@${BOB}>`)).text).toBe(
      "Give handle= a name for the user group, like handle=platform-team, not a person or a channel: /team sync <team> [handle=<name>] [off].",
    );
    expect((await say(ALICE, "sync Platform extra")).text).toMatch(/^Unexpected “extra”/);
    expect((await say(ALICE, "sync Platform off handle=x")).text).toBe(
      "Leave out handle= to stop a sync, like /team sync Platform off.",
    );
    expect(changes()).toEqual([]);
  });

  it("refuses someone without team:update before asking Slack anything", async () => {
    const refused = await say(CAROL, "sync Platform");
    expect(refused.text).toBe(
      "You need the team:update permission in Platform to keep Platform's user group and channel in step with its members; ask the team's owner or an admin.",
    );
    expect(world.slack.callsTo("usergroups.list")).toEqual([]);
    expect(changes()).toEqual([]);
  });

  it("says what to do when Roster isn't in the channel, or it is archived, changing nothing", async () => {
    world.slack.addChannel({ id: "CNOBOT1", name: "no-bot", members: [ALICE], isPrivate: true });
    await say(ALICE, "set Platform channel=<#CNOBOT1|no-bot>");
    expect((await say(ALICE, "sync Platform")).text).toBe(
      "Roster isn't in <#CNOBOT1>, so it can't invite or remove anyone there; type /invite @roster in that channel, then run /team sync again.",
    );
    world.slack.addChannel({
      id: "CARCHIVED1",
      name: "old",
      members: [STAND_IN_BOT_USER_ID],
      isArchived: true,
    });
    await say(ALICE, "set Platform channel=<#CARCHIVED1|old>");
    expect((await say(ALICE, "sync Platform")).text).toBe(
      "<#CARCHIVED1> is archived; unarchive it or choose another channel with /team set Platform channel=#…, then run /team sync again.",
    );
    expect(changes()).toEqual([]);
    expect(group()).toBeUndefined();
  });

  it("re-enables a group disabled in Slack, renames its handle, and stops on `off`", async () => {
    await world.roster.services.members.add(as(ALICE), "Platform", [OUTSIDER]);
    await say(ALICE, "sync Platform");
    const made = group();
    if (!made) throw new Error("no group");
    made.enabled = false;
    const again = await say(ALICE, "sync Platform handle=platform-team");
    expect(again.text).toContain("• `@platform-team`: renamed from `@platform`; enabled again (4 members).");
    expect(made).toMatchObject({ handle: "platform-team", enabled: true });

    const trail = await say(ALICE, "activity Platform");
    expect(trail.all).toContain("changed the synced user group from `@platform` to `@platform-team`");
    const stopped = await say(ALICE, "sync Platform off");
    expect(stopped.text).toBe(
      `:white_check_mark: Roster no longer keeps @platform-team and <#${CHANNEL}> in step with Platform; everyone stays where they are now.`.replace(
        "@platform-team",
        "`@platform-team`",
      ),
    );
    await world.roster.services.members.remove(as(ALICE), "Platform", [CAROL]);
    world.roster.deps.sync.soon(world.workspaceId);
    await world.roster.deps.sync.flush();
    expect(made.users).toContain(CAROL);
    expect((await say(ALICE, "sync Platform off")).text).toBe(
      "Platform isn't kept in step with Slack, so there is nothing to stop; /team sync Platform starts it.",
    );
  });
});
