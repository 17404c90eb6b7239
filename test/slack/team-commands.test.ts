import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import type { TeamTreeNode } from "../../src/services/team.service";
import { teamTreeReply } from "../../src/slack/blocks/team-admin.blocks";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, commandReply, type SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Engineering and every team below it
const BOB = "UBOB1"; // admin of Platform only
const CAROL = "UCAROL1"; // plain member of Platform
const DAVE = "UDAVE1"; // in the workspace, in no team
const DAY = 86_400_000;

describe.each(testDatabases())("/team tree, set, join, leave, activity on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

  beforeEach(async () => {
    world = testWorld();
    for (const id of [ALICE, BOB, CAROL, DAVE]) world.person(id);
    const teams = world.roster.services.teams;
    await teams.create(as(ALICE), { name: "Engineering" });
    await teams.create(as(ALICE), { name: "Platform", parent: "Engineering" });
    await teams.create(as(ALICE), { name: "Models", parent: "Platform" });
    await teams.create(as(ALICE), { name: "Infra", parent: "Engineering" });
    await teams.create(as(ALICE), { name: "Secret", parent: "Engineering", visibility: "private" });
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
    await world.roster.services.members.add(as(ALICE), "Platform", [CAROL]);
  });

  const say = (userId: string, text: string) => commandReply(world, userId, text);

  /** Every line of the reply's sections, as Slack would show them. */
  function lines(blocks: unknown[]): string[] {
    return blocks.flatMap((b) =>
      (b as { type: string; text?: { text: string } }).type === "section"
        ? (b as { text: { text: string } }).text.text.split("\n")
        : [],
    );
  }

  /** The settings a user could notice, as `/team info` would show them. */
  async function settings(team = "Platform") {
    const { team: t, parent } = await world.roster.services.teams.get(as(ALICE), team);
    return {
      name: t.name,
      description: t.description,
      parent: parent?.name ?? null,
      channel: t.channelId,
      policy: t.joinPolicy,
      visibility: t.visibility,
      sharing: t.resourceSharing,
      metadata: t.metadata,
    };
  }

  async function members(team = "Platform"): Promise<string[]> {
    const { members } = await world.roster.services.members.list(as(ALICE), team);
    return members.map((m) => m.userId).sort();
  }

  const buttons = (blocks: unknown[]) => actionButtons(blocks);

  it("draws the tree indented, sub-teams in name order, hiding private teams from outsiders", async () => {
    const dave = await say(DAVE, "tree engineering");
    expect(dave.text).toBe("Engineering and 3 sub-teams.");
    expect(lines(dave.blocks)).toEqual(["*Engineering*", "• Infra", "• Platform", "\u2003• Models"]);
    const alice = await say(ALICE, "tree Engineering");
    expect(alice.text).toBe("Engineering and 4 sub-teams.");
    expect(alice.all).toContain("• Secret");
    expect((await say(DAVE, "tree Models")).text).toBe("Models has no sub-teams you can see.");
    expect((await say(DAVE, "tree Secret")).text).toMatch(/no team called “Secret”/);
  });

  it("sets several keys in one go and says what changed, before → after", async () => {
    const set = await say(
      BOB,
      'set platform policy=approval visibility=private sharing=admins_only description="Models and evals" meta.costCenter=4711 channel=<#C0PLAT1|platform>',
    );
    expect(set.text).toBe(
      "Updated Platform: description (empty) → Models and evals, channel none → <#C0PLAT1>, policy open → approval, " +
        "visibility organization → private, sharing all_members → admins_only, meta.costCenter set to 4711.",
    );
    expect(await settings()).toEqual({
      name: "Platform",
      description: "Models and evals",
      parent: "Engineering",
      channel: "C0PLAT1",
      policy: "approval",
      visibility: "private",
      sharing: "admins_only",
      metadata: { costCenter: "4711" },
    });

    const again = await say(
      BOB,
      'set Platform meta.costCenter="" meta.region=eu meta.constructor=yes channel=none name="Platform Core"',
    );
    expect(again.text).toBe(
      "Updated Platform Core: name Platform → Platform Core, channel <#C0PLAT1> → none, " +
        "meta.constructor set to yes, meta.costCenter removed (was 4711), meta.region set to eu.",
    );
    expect(await settings("platform core")).toMatchObject({
      channel: null,
      metadata: { region: "eu", constructor: "yes" },
    });
    expect((await say(BOB, 'set "Platform Core" policy=approval')).text).toBe(
      "Nothing changed: Platform Core already had those settings.",
    );
  });

  it("moves a team with parent=, and parent=none makes it top-level", async () => {
    const moved = await say(ALICE, "set Platform parent=Infra");
    expect(moved.text).toBe("Updated Platform: parent Engineering → Infra.");
    expect(lines((await say(DAVE, "tree Infra")).blocks)).toEqual([
      "*Infra*",
      "• Platform",
      "\u2003• Models",
    ]);
    const top = await say(ALICE, "set Platform parent=NONE");
    expect(top.text).toBe("Updated Platform: parent Infra → none.");
    expect((await settings()).parent).toBeNull();
    expect((await say(DAVE, "tree Engineering")).text).toBe("Engineering and 1 sub-team.");
  });

  it("lets a team admin name the parent the team already has without rights in that parent", async () => {
    const set = await say(BOB, 'set Platform parent=Engineering description="Shared models"');
    expect(set.text).toBe("Updated Platform: description (empty) → Shared models.");
    const move = await say(BOB, "set Platform parent=Infra");
    expect(move.text).toBe(
      "You need the team:update permission in Infra to move a team under Infra; ask the team's owner or an admin.",
    );
    expect((await settings()).parent).toBe("Engineering");
  });

  it("refuses bad changes with one sentence and changes nothing", async () => {
    const before = await settings();
    const unknown = await say(BOB, "set Platform policy=approval colour=blue");
    expect(unknown.text).toBe(
      "There is no option “colour=” for /team set; it accepts name=, description=, parent=, channel=, policy=, " +
        "visibility=, sharing= or meta.<key>=.",
    );
    const member = await say(CAROL, "set Platform policy=approval");
    expect(member.text).toBe(
      "You need the team:update permission in Platform to change Platform; ask the team's owner or an admin.",
    );
    const cycle = await say(ALICE, "set Platform parent=models policy=approval");
    expect(cycle.text).toBe(
      "Platform can't go under Models, which is inside Platform already; that would make a loop.",
    );
    expect((await say(ALICE, "set Platform parent=Platform")).text).toBe(
      "Platform can't be its own parent; choose another team.",
    );
    expect((await say(ALICE, "set Platform policy=sometimes")).text).toMatch(
      /^Give policy= one of open, approval or invite_only, not “sometimes”/,
    );
    expect((await say(ALICE, "set Platform name=Infra")).text).toMatch(
      /A team called “Infra” already exists/,
    );
    expect((await say(ALICE, "set Platform")).text).toMatch(/^Say what to change/);
    expect((await say(ALICE, "set Platform channel=#general")).text).toMatch(/is not a Slack channel/);
    expect(await settings()).toEqual(before);
  });

  it("joins an open team at once, and is honest about approval and invite-only teams", async () => {
    expect((await say(DAVE, "join platform")).text).toBe("You joined Platform.");
    expect(await members()).toContain(DAVE);
    expect((await say(DAVE, "join Platform")).text).toBe("You're already a member of Platform.");

    await world.roster.services.teams.update(as(ALICE), "Infra", { joinPolicy: "approval" });
    const approval = await say(DAVE, "join Infra");
    expect(approval.text).toMatch(/^Infra needs an admin's approval, so you asked to join\. It went to /);
    expect(await members("Infra")).not.toContain(DAVE);

    await world.roster.services.teams.update(as(ALICE), "Infra", { joinPolicy: "invite_only" });
    const invite = await say(DAVE, "join Infra");
    expect(invite.text).toBe(`Infra is invite-only; ask <@${ALICE}> or one of its admins to invite you.`);
    expect(await members("Infra")).not.toContain(DAVE);
  });

  it("leaves a team; the owner is told to hand it over first", async () => {
    expect((await say(CAROL, "leave Platform")).text).toBe("You left Platform.");
    expect(await members()).not.toContain(CAROL);
    expect((await say(CAROL, "leave Platform")).text).toBe("You're not a member of Platform.");
    const owner = await say(ALICE, "leave Platform");
    expect(owner.text).toMatch(
      /^You own Platform; hand it to someone else with \/team transfer Platform @user/,
    );
    expect(await members()).toContain(ALICE);
  });

  it("shows activity one row per event in words, newest first, to members only", async () => {
    await world.roster.services.members.changeRole(as(ALICE), "Platform", [CAROL], "admin");
    await say(ALICE, "set Platform visibility=private");
    const activity = await say(BOB, "activity Platform");
    expect(activity.text).toBe("5 events in Platform in the last 7 days, page 1 of 1.");
    expect(
      lines(activity.blocks).map((row) =>
        row.replace(/^.*<!date\^\d+\^\{date_short\} \{time\}\|[\d-]+> · /, ""),
      ),
    ).toEqual([
      `<@${ALICE}> updated settings: visibility organization → private`,
      `<@${ALICE}> changed <@${CAROL}>'s role from member to admin`,
      `<@${ALICE}> added <@${CAROL}> as member`,
      `<@${ALICE}> added <@${BOB}> as admin`,
      `<@${ALICE}> created the team`,
    ]);
    expect((await say(DAVE, "activity Platform")).text).toMatch(/^There is no team called “Platform”/);
    expect((await say(DAVE, "activity Infra")).text).toBe(
      "Only members of Infra and org admins can read its activity.",
    );
    expect((await say(BOB, "activity Platform since=week")).text).toMatch(
      /^Give since= a number of days like since=30d/,
    );
    expect((await say(BOB, "activity Platform since=0")).text).toMatch(
      /^since is a number of days from 1 to 3650/,
    );
    expect((await say(BOB, "activity Platform limit=500")).text).toMatch(
      /^Give limit= a whole number from 1 to 100/,
    );
  });

  it("pages activity with buttons and looks back as far as since= says", async () => {
    await say(DAVE, "join Platform");
    const first = await say(BOB, "activity Platform limit=2");
    expect(first.text).toBe("4 events in Platform in the last 7 days, page 1 of 2.");
    expect(first.all).toContain(`<@${DAVE}> joined as member`);
    const [older, ...rest] = buttons(first.blocks);
    expect(rest).toEqual([]);
    expect(older).toEqual(
      expect.objectContaining({
        action_id: "team_page:next",
        value: "activity Platform since=7d limit=2 page=2",
      }),
    );
    await world.press(BOB, older.action_id, older.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    const second = world.slack.responses[0].body as {
      text: string;
      blocks: unknown[];
      replace_original: boolean;
    };
    expect(second.replace_original).toBe(true);
    expect(second.text).toBe("4 events in Platform in the last 7 days, page 2 of 2.");
    expect(JSON.stringify(second.blocks)).toContain("created the team");
    expect(buttons(second.blocks).map((b) => b.value)).toEqual(["activity Platform since=7d limit=2 page=1"]);

    world.clock.advance(8 * DAY);
    expect((await say(BOB, "activity Platform")).text).toBe("No activity in Platform in the last 7 days.");
    expect((await say(BOB, "activity Platform since=30")).text).toBe(
      "4 events in Platform in the last 30 days, page 1 of 1.",
    );
  });
});

describe("teamTreeReply", () => {
  it("fits a huge tree into one message and says how many teams it left out", () => {
    let id = 0;
    const node = (depth: number): TeamTreeNode => ({
      team: { id: ++id, name: `Team ${String(id).padStart(4, "0")} ${"x".repeat(60)}` },
      children: depth < 3 ? Array.from({ length: 12 }, () => node(depth + 1)) : [],
    });
    const tree = node(0);
    const reply = teamTreeReply(tree);
    expect(reply.text).toBe(`${tree.team.name} and ${(id - 1).toLocaleString("en-US")} sub-teams.`);
    const blocks = reply.blocks ?? [];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const sections = blocks.filter((b) => b.type === "section") as { text: { text: string } }[];
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(3000);
    const shown = sections.reduce((n, s) => n + s.text.text.split("\n").length, 0);
    expect(shown).toBeGreaterThan(100);
    const note = JSON.stringify(blocks.at(-1));
    expect(note).toContain(`…and ${(id - shown).toLocaleString("en-US")} more teams not shown`);
  });
});
