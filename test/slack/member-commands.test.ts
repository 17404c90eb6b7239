import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { type Button, commandReply, type SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Platform
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // plain member of Platform
const DAVE = "UDAVE1"; // in the workspace, in no team
const GHOST = "UGHOST1"; // a user ID Slack doesn't know

describe.each(testDatabases())("/team members, add, transfer, reactivate on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

  beforeEach(async () => {
    world = testWorld();
    for (const id of [ALICE, BOB, CAROL, DAVE]) world.person(id);
    expect((await world.command(ALICE, "create Platform")).json?.text).toContain("Created Platform");
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
    await world.roster.services.members.add(as(ALICE), "Platform", [CAROL]);
  });

  const say = (userId: string, text: string) => commandReply(world, userId, text);

  /** Platform's members as "user:role:status", sorted: what "changes nothing" compares. */
  async function roster(team = "Platform"): Promise<string[]> {
    const { members } = await world.roster.services.members.list(as(ALICE), team);
    return members.map((m) => `${m.userId}:${m.role.name}:${m.status}`).sort();
  }

  function buttons(blocks: unknown[]): Button[] {
    return blocks.flatMap((b) => (b as { elements?: Button[] }).elements ?? []).filter((e) => e.action_id);
  }

  it("lists one row per member with Slack's name and email, role, status and joined date", async () => {
    await world.roster.services.members.add(as(ALICE), "Platform", [GHOST]);
    await world.roster.services.members.deactivate(as(ALICE), "Platform", [CAROL]);
    const list = await say(DAVE, "members platform");
    expect(list.text).toBe("Platform: 4 members, page 1 of 1.");
    const rows = list.all.split("\\n").filter((line) => line.includes("• "));
    expect(rows).toHaveLength(4);
    // The owner first, then by when they joined; names and emails come from users.info.
    expect(rows[0]).toMatch(/\*ualice1\* · ualice1@example\.com · owner · active · joined <!date\^\d+\^/);
    expect(rows[1]).toContain("*ubob1* · ubob1@example.com · admin · active");
    expect(rows[2]).toContain("*ucarol1* · ucarol1@example.com · member · _inactive_");
    expect(rows[3]).toContain(`<@${GHOST}> · no email · member · active`);
    expect(world.slack.callsTo("users.info").some((c) => c.args.user === CAROL)).toBe(true);

    const inactive = await say(DAVE, "members Platform status=inactive");
    expect(inactive.text).toBe("Platform: 1 member, page 1 of 1.");
    expect(inactive.all).toContain("ucarol1@example.com");
    const admins = await say(DAVE, "members Platform role=ADMIN");
    expect(admins.text).toBe("Platform: 1 member, page 1 of 1.");
    expect(admins.all).toContain("ubob1@example.com");
    expect((await say(DAVE, "members Platform role=wizard")).text).toMatch(/no role called “wizard”/);
    expect((await say(DAVE, "members Platform status=gone")).text).toMatch(
      /status= one of active or inactive/,
    );
    expect((await say(DAVE, "members Nowhere")).text).toMatch(/no team called “Nowhere”/);
  });

  it("pages a long list 20 at a time, and Next shows the next page in place", async () => {
    const crowd = Array.from({ length: 42 }, (_, i) => world.person(`UCROWD${String(i).padStart(2, "0")}`));
    await world.roster.services.members.add(as(ALICE), "Platform", crowd);
    const first = await say(CAROL, "members Platform");
    expect(first.text).toBe("Platform: 45 members, page 1 of 3.");
    expect(first.all.match(/• /g)).toHaveLength(20);
    const [next, ...others] = buttons(first.blocks);
    expect(others).toEqual([]);
    expect(next).toMatchObject({ action_id: "team_page:next", value: "members Platform page=2" });

    await world.press(CAROL, next.action_id, next.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    const second = world.slack.responses[0].body as {
      text: string;
      blocks: unknown[];
      replace_original: boolean;
    };
    expect(second.replace_original).toBe(true);
    expect(second.text).toBe("Platform: 45 members, page 2 of 3.");
    expect(JSON.stringify(second.blocks).match(/• /g)).toHaveLength(20);
    expect(buttons(second.blocks).map((b) => b.value)).toEqual([
      "members Platform page=1",
      "members Platform page=3",
    ]);

    const last = await say(CAROL, "members Platform page=3");
    expect(last.all.match(/• /g)).toHaveLength(5);
    expect(last.all).toContain("ucrowd41@example.com");
    expect(buttons(last.blocks).map((b) => b.action_id)).toEqual(["team_page:previous"]);
  });

  it("adds people directly, saying who was added and who was already in", async () => {
    const added = await say(BOB, `add Platform <@${DAVE}> <@${CAROL}|carol> role=admin`);
    expect(added.text).toBe(`Added <@${DAVE}> to Platform as admin. <@${CAROL}> was already in.`);
    expect(await roster()).toContain(`${DAVE}:admin:active`);
    expect(await roster()).toContain(`${CAROL}:member:active`);
    const again = await say(BOB, `add Platform <@${DAVE}> <@${CAROL}>`);
    expect(again.text).toBe("Everyone you named is already in Platform.");
  });

  it("refuses an add from a plain member, naming members:manage, and changes nothing", async () => {
    const before = await roster();
    const refused = await say(CAROL, `add Platform <@${DAVE}>`);
    expect(refused.text).toBe(
      "You need the members:manage permission in Platform to add people to Platform; ask the team's owner or an admin.",
    );
    expect(await roster()).toEqual(before);
  });

  it("takes mentions only: an email, a bare @name or a stray word gets one sentence", async () => {
    const before = await roster();
    const email = await say(BOB, "add Platform dave@example.com");
    expect(email.text).toMatch(
      /^Mention people with @ here rather than by email address \(“dave@example\.com”\)/,
    );
    const typed = await say(BOB, "role Platform @dave admin");
    expect(typed.text).toMatch(/Pick “@dave” from the list Slack shows/);
    const stray = await say(BOB, `remove Platform <@${CAROL}> please`);
    expect(stray.text).toBe(`Unexpected “please”; name people as @mentions: /team remove <team> <user>….`);
    const nobody = await say(BOB, "add Platform");
    expect(nobody.text).toBe(
      "Name at least one person as an @mention: /team add <team> <user>… [role=<role>].",
    );
    expect(await roster()).toEqual(before);
  });

  it("never removes, demotes or deactivates the owner, and says to transfer first", async () => {
    const before = await roster();
    const owns = `<@${ALICE}> owns Platform; hand ownership to someone else with /team transfer first.`;
    expect((await say(BOB, `remove Platform <@${ALICE}>`)).text).toBe(owns);
    expect((await say(BOB, `role Platform <@${ALICE}> member`)).text).toBe(owns);
    expect((await say(BOB, `deactivate Platform <@${ALICE}>`)).text).toBe(owns);
    // Several people: refused at the preview, before anyone is asked to confirm.
    const preview = await say(BOB, `role Platform <@${CAROL}> <@${ALICE}> member`);
    expect(preview.text).toBe(owns);
    expect(buttons(preview.blocks)).toEqual([]);
    expect((await say(BOB, `role Platform <@${CAROL}> owner`)).text).toMatch(
      /exactly one owner.*\/team transfer/,
    );
    expect(await roster()).toEqual(before);
  });

  it("refuses people who aren't members", async () => {
    const before = await roster();
    const notIn = `<@${DAVE}> isn't a member of Platform.`;
    expect((await say(BOB, `remove Platform <@${DAVE}>`)).text).toBe(notIn);
    expect((await say(BOB, `role Platform <@${DAVE}> admin`)).text).toBe(notIn);
    expect((await say(BOB, `reactivate Platform <@${DAVE}>`)).text).toBe(notIn);
    expect((await say(BOB, `remove Platform <@${CAROL}> <@${DAVE}>`)).text).toBe(notIn);
    expect((await say(ALICE, `transfer Platform <@${DAVE}>`)).text).toMatch(
      /isn't in Platform; add them first/,
    );
    expect(await roster()).toEqual(before);
  });

  it("changes, removes, deactivates and reactivates one person at once, with no preview", async () => {
    expect((await say(BOB, `role Platform <@${CAROL}> admin`)).text).toBe(
      `<@${CAROL}> is now admin in Platform.`,
    );
    expect((await say(BOB, `role Platform <@${CAROL}> admin`)).text).toBe(
      `Nothing to change: <@${CAROL}> is already admin in Platform.`,
    );
    expect((await say(BOB, `deactivate Platform <@${CAROL}>`)).text).toBe(
      `Deactivated <@${CAROL}> in Platform.`,
    );
    expect(await roster()).toContain(`${CAROL}:admin:inactive`);
    expect((await say(BOB, `reactivate Platform <@${CAROL}>`)).text).toBe(
      `Reactivated <@${CAROL}> in Platform.`,
    );
    expect((await say(BOB, `reactivate Platform <@${CAROL}>`)).text).toBe(
      `Nothing to change: <@${CAROL}> is already active in Platform.`,
    );
    expect(await roster()).toContain(`${CAROL}:admin:active`);
    expect((await say(BOB, `remove Platform <@${CAROL}>`)).text).toBe(`Removed <@${CAROL}> from Platform.`);
    expect((await roster()).join()).not.toContain(CAROL);
  });

  it("transfers ownership; the old owner is now an admin; only the owner may", async () => {
    const before = await roster();
    const refused = await say(BOB, `transfer Platform <@${CAROL}>`);
    expect(refused.text).toMatch(/^You need the team:transfer permission in Platform/);
    expect(await roster()).toEqual(before);
    const done = await say(ALICE, `transfer platform <@${BOB}>`);
    expect(done.text).toBe(`<@${BOB}> now owns Platform. <@${ALICE}> is now an admin.`);
    expect(await roster()).toEqual([
      `${ALICE}:admin:active`,
      `${BOB}:owner:active`,
      `${CAROL}:member:active`,
    ]);
    const two = await say(BOB, `transfer Platform <@${ALICE}> <@${CAROL}>`);
    expect(two.text).toBe("A team has one owner, so name one person: /team transfer <team> <user>.");
  });
});
