import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Platform and Search
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // member of Platform
const DAVE = "UDAVE1"; // member of Platform
const ERIN = "UERIN1"; // member of Platform

interface Button {
  action_id: string;
  value: string;
}

/** Commands that change several members: a preview first, then Confirm (or Cancel). */
describe.each(testDatabases())(
  "/team role, remove, deactivate, move with several people on $name",
  (kind) => {
    const testWorld = useSlackWorld(kind);
    let world: SlackWorld;
    const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

    beforeEach(async () => {
      world = testWorld();
      for (const id of [ALICE, BOB, CAROL, DAVE, ERIN]) world.person(id);
      expect((await world.command(ALICE, "create Platform")).json?.text).toContain("Created Platform");
      expect((await world.command(ALICE, "create Search")).json?.text).toContain("Created Search");
      await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
      await world.roster.services.members.add(as(ALICE), "Platform", [CAROL, DAVE, ERIN]);
    });

    /** A command's reply: its text (less an error's icon) and its buttons. */
    async function say(userId: string, text: string): Promise<{ text: string; buttons: Button[] }> {
      const answer = await world.command(userId, text);
      expect(answer.status).toBe(200);
      return {
        text: (answer.json?.text ?? "").replace(/^:no_entry_sign: /, ""),
        buttons: buttons(answer.json),
      };
    }

    /** Presses a button and waits for the reply Slack gets through the response_url. */
    async function press(userId: string, button: Button): Promise<{ text: string; replaced: boolean }> {
      const before = world.slack.responses.length;
      const answer = await world.press(userId, button.action_id, button.value);
      expect(answer.status).toBe(200);
      await expect.poll(() => world.slack.responses.length).toBe(before + 1);
      const body = world.slack.responses[before].body as { text: string; replace_original?: boolean };
      return { text: body.text.replace(/^:no_entry_sign: /, ""), replaced: body.replace_original === true };
    }

    function buttons(message?: { blocks?: unknown[] }): Button[] {
      return (message?.blocks ?? [])
        .flatMap((b) => (b as { elements?: Button[] }).elements ?? [])
        .filter((e) => e.action_id);
    }

    /** A preview's Confirm and Cancel buttons. */
    function confirmAndCancel(reply: { buttons: Button[] }): [Button, Button] {
      expect(reply.buttons.map((b) => b.action_id)).toEqual([
        "team_confirm_command:yes",
        "team_cancel_command:no",
      ]);
      return [reply.buttons[0], reply.buttons[1]];
    }

    /** A team's members as "user:role:status", sorted. */
    async function roster(team = "Platform"): Promise<string[]> {
      const { members } = await world.roster.services.members.list(as(ALICE), team);
      return members.map((m) => `${m.userId}:${m.role.name}:${m.status}`).sort();
    }

    async function auditTrail(team = "Platform"): Promise<number> {
      return (await world.roster.services.audit.activity(as(ALICE), team, { pageSize: 100 })).total;
    }

    it("role for several people: previews each current role → new role; Confirm changes them", async () => {
      await world.roster.services.members.changeRole(as(ALICE), "Platform", [ERIN], "admin");
      const before = await roster();
      const preview = await say(BOB, `role Platform <@${CAROL}> <@${DAVE}> <@${ERIN}> ADMIN`);
      expect(preview.text).toBe(
        [
          ":warning: Change roles in *Platform*:",
          `• member → admin: <@${CAROL}>, <@${DAVE}>`,
          `• already admin: <@${ERIN}>`,
          "Nothing changes until you press Confirm.",
        ].join("\n"),
      );
      const [confirm] = confirmAndCancel(preview);
      expect(await roster()).toEqual(before);

      const done = await press(BOB, confirm);
      expect(done).toEqual({
        text: `<@${CAROL}> and <@${DAVE}> are now admin in Platform. <@${ERIN}> was already admin.`,
        replaced: true,
      });
      const admins = await say(BOB, "members Platform role=admin");
      expect(admins.text).toBe("Platform: 4 members, page 1 of 1.");
      expect(await roster()).toEqual(before.map((row) => row.replace(/:member:/, ":admin:")));
    });

    it("role for several people: Cancel changes nothing", async () => {
      const before = await roster();
      const [, cancel] = confirmAndCancel(await say(BOB, `role Platform <@${CAROL}> <@${DAVE}> admin`));
      expect(await press(BOB, cancel)).toEqual({ text: "Cancelled; nothing was changed.", replaced: true });
      expect(await roster()).toEqual(before);
    });

    it("a Confirm pressed by someone without members:manage changes nothing and says why", async () => {
      const before = await roster();
      const events = await auditTrail();
      const [confirm] = confirmAndCancel(await say(BOB, `role Platform <@${CAROL}> <@${DAVE}> admin`));
      const refused = await press(CAROL, confirm);
      expect(refused.text).toBe(
        "You need the members:manage permission in Platform to change roles in Platform; ask the team's owner or an admin.",
      );
      expect(await roster()).toEqual(before);
      expect(await auditTrail()).toBe(events);
      // The same person typing it is refused at once, with no preview to confirm.
      const typed = await say(CAROL, `role Platform <@${DAVE}> <@${ERIN}> admin`);
      expect(typed.text).toBe(refused.text);
      expect(typed.buttons).toEqual([]);
    });

    it("Confirm pressed twice changes things once; the second press says nothing is left", async () => {
      const [confirm] = confirmAndCancel(await say(BOB, `role Platform <@${CAROL}> <@${DAVE}> admin`));
      expect((await press(BOB, confirm)).text).toBe(`<@${CAROL}> and <@${DAVE}> are now admin in Platform.`);
      const events = await auditTrail();
      const after = await roster();
      expect((await press(BOB, confirm)).text).toBe(
        `Nothing to change: <@${CAROL}> and <@${DAVE}> are already admin in Platform.`,
      );
      expect(await roster()).toEqual(after);
      expect(await auditTrail()).toBe(events);
    });

    it("remove with two Confirm presses at once removes each person once", async () => {
      const preview = await say(BOB, `remove Platform <@${CAROL}> <@${DAVE}>`);
      expect(preview.text).toBe(
        [
          ":warning: Remove from *Platform*:",
          `• member: <@${CAROL}>, <@${DAVE}>`,
          "Nothing changes until you press Confirm.",
        ].join("\n"),
      );
      const [confirm] = confirmAndCancel(preview);
      const events = await auditTrail();
      const before = world.slack.responses.length;
      await Promise.all([1, 2].map(() => world.press(BOB, confirm.action_id, confirm.value)));
      await expect.poll(() => world.slack.responses.length).toBe(before + 2);
      const texts = world.slack.responses
        .slice(before)
        .map((r) => (r.body as { text: string }).text.replace(/^:no_entry_sign: /, ""));
      // The database decides which press wins; the other finds them gone, whichever way it looks.
      expect(texts.filter((t) => t === `Removed <@${CAROL}> and <@${DAVE}> from Platform.`)).toHaveLength(1);
      expect(texts.find((t) => !t.startsWith("Removed"))).toMatch(
        /^(Nothing left to remove: <@UCAROL1> and <@UDAVE1> are no longer in Platform\.|<@UCAROL1> isn't a member of Platform\.)$/,
      );
      expect(await roster()).toEqual([
        `${ALICE}:owner:active`,
        `${BOB}:admin:active`,
        `${ERIN}:member:active`,
      ]);
      expect(await auditTrail()).toBe(events + 2);
      expect((await press(BOB, confirm)).text).toBe(
        `Nothing left to remove: <@${CAROL}> and <@${DAVE}> are no longer in Platform.`,
      );
    });

    it("deactivate for several people: preview, Confirm, then they are listed as inactive", async () => {
      await world.roster.services.members.deactivate(as(ALICE), "Platform", [ERIN]);
      const preview = await say(BOB, `deactivate Platform <@${CAROL}> <@${DAVE}> <@${ERIN}>`);
      expect(preview.text).toContain(
        `• active → inactive: <@${CAROL}>, <@${DAVE}>\n• already inactive: <@${ERIN}>`,
      );
      expect(await roster()).toContain(`${CAROL}:member:active`);
      const [confirm] = confirmAndCancel(preview);
      expect((await press(BOB, confirm)).text).toBe(
        `Deactivated <@${CAROL}> and <@${DAVE}> in Platform. <@${ERIN}> was already inactive.`,
      );
      const inactive = await say(BOB, "members Platform status=inactive");
      expect(inactive.text).toBe("Platform: 3 members, page 1 of 1.");
    });

    it("move for several people: preview shows each one's role in the target; Confirm moves them", async () => {
      await world.roster.services.members.changeRole(as(ALICE), "Platform", [CAROL], "admin");
      await world.roster.services.members.add(as(ALICE), "Search", [BOB], "admin");
      const preview = await say(ALICE, `move Platform Search <@${CAROL}> <@${DAVE}>`);
      expect(preview.text).toBe(
        [
          ":warning: Move from *Platform* to *Search*:",
          `• admin in Platform → admin in Search: <@${CAROL}>`,
          `• member in Platform → member in Search: <@${DAVE}>`,
          "Nothing changes until you press Confirm.",
        ].join("\n"),
      );
      const [confirm] = confirmAndCancel(preview);
      expect(await roster("Search")).toEqual([`${ALICE}:owner:active`, `${BOB}:admin:active`]);
      expect((await press(ALICE, confirm)).text).toBe(
        `Moved <@${CAROL}> (admin), <@${DAVE}> (member) from Platform to Search.`,
      );
      expect(await roster("Search")).toEqual([
        `${ALICE}:owner:active`,
        `${BOB}:admin:active`,
        `${CAROL}:admin:active`,
        `${DAVE}:member:active`,
      ]);
      expect((await roster()).join()).not.toMatch(/UCAROL1|UDAVE1/);
      expect((await press(ALICE, confirm)).text).toBe(
        `Nothing left to move: <@${CAROL}> and <@${DAVE}> are already in Search.`,
      );
    });

    it("move: one person moves at once; someone already in the target, or the owner, is refused", async () => {
      const before = [await roster(), await roster("Search")];
      expect((await say(ALICE, `move Platform Search <@${ALICE}> <@${DAVE}>`)).text).toBe(
        `<@${ALICE}> owns Platform; transfer its ownership before moving them.`,
      );
      await world.roster.services.members.add(as(ALICE), "Search", [ERIN]);
      expect((await say(ALICE, `move Platform Search <@${DAVE}> <@${ERIN}>`)).text).toBe(
        `<@${ERIN}> is already in Search.`,
      );
      expect((await say(BOB, `move Platform Search <@${DAVE}> <@${CAROL}>`)).text).toMatch(
        /^You need the members:manage permission in Search to move people into Search/,
      );
      expect((await say(ALICE, `move Platform platform <@${DAVE}>`)).text).toMatch(
        /name two different teams/,
      );
      expect([await roster(), (await roster("Search")).filter((r) => !r.startsWith(ERIN))]).toEqual(before);
      expect((await say(ALICE, `move Platform Search <@${DAVE}>`)).text).toBe(
        `Moved <@${DAVE}> (member) from Platform to Search.`,
      );
    });
  },
);
