import { beforeEach, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/domain/permissions";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Platform
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // plain member of Platform
const DAVE = "UDAVE1"; // in the workspace, in no team
const OSCAR = "UOSCAR1"; // workspace admin: an org admin

describe.each(testDatabases())(
  "/team roles, role-create, role-delete, grant, revoke, share, unshare on $name",
  (kind) => {
    const testWorld = useSlackWorld(kind);
    let world: SlackWorld;
    const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

    beforeEach(async () => {
      world = testWorld();
      for (const id of [ALICE, BOB, CAROL, DAVE]) world.person(id);
      world.person(OSCAR, { admin: true });
      expect((await world.command(ALICE, "create Platform")).json?.text).toContain("Created Platform");
      await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
      await world.roster.services.members.add(as(ALICE), "Platform", [CAROL]);
    });

    /** What the user sees, plain text and blocks together. */
    async function say(userId: string, text: string): Promise<{ text: string; all: string }> {
      const answer = await world.command(userId, text);
      expect(answer.status).toBe(200);
      expect(answer.json?.response_type).toBe("ephemeral");
      const reply = answer.json?.text ?? "";
      return { text: reply, all: `${reply}\n${JSON.stringify(answer.json?.blocks ?? [])}` };
    }

    /** Everything these commands can change: what "changes nothing" compares. */
    async function state() {
      const roles = await world.roster.services.roles.list(as(OSCAR));
      const { grants, resources } = await world.roster.services.access.list(as(OSCAR), "Platform");
      return {
        roles: roles.map((r) => [r.name, r.description, [...r.permissions].sort()]),
        grants: grants.map((g) => g.permission).sort(),
        resources: resources.map((r) => [`${r.resourceType}:${r.resourceId}`, r.permissions]),
      };
    }

    /** The command is refused with one sentence matching `message`, and nothing changes. */
    async function refused(userId: string, text: string, message: RegExp): Promise<string> {
      const before = await state();
      const reply = await say(userId, text);
      expect(reply.text).toMatch(/^:no_entry_sign: \S/);
      expect(reply.text).toMatch(message);
      expect(reply.text.split("\n")).toHaveLength(1);
      expect(await state()).toEqual(before);
      return reply.text;
    }

    describe("roles", () => {
      it("lists the built-in roles with descriptions and permissions, and explains every permission", async () => {
        const reply = await say(CAROL, "roles");
        expect(reply.text).toBe("3 roles: owner, admin, member.");
        expect(reply.all).toContain("Owns the team: everything, including delete and transfer");
        expect(reply.all).toContain("Runs the team: members, invitations, joins, limits, usage and keys");
        expect(reply.all).toContain("No custom roles yet");
        for (const permission of PERMISSIONS) expect(reply.all).toContain(`\`${permission}\`: `);
        expect(reply.all).toMatch(
          /`team:transfer`: hand the team's ownership to someone else _\(owner only\)_/,
        );
      });

      it("pages a long list with buttons that replace the message", async () => {
        for (let i = 0; i < 22; i++) {
          await world.roster.services.roles.create(as(OSCAR), `role${String(i).padStart(2, "0")}`, [
            "joins:decide",
          ]);
        }
        const first = await world.command(CAROL, "roles");
        const blocks = JSON.stringify(first.json?.blocks);
        expect(first.json?.text).toMatch(/^25 roles: owner, admin, member, role00/);
        expect(blocks).toContain("Page 1 of 2");
        expect(blocks).toContain('"value":"roles page=2"');
        expect(blocks).not.toContain("role17");

        await world.press(CAROL, "team_page:next", "roles page=2");
        await expect.poll(() => world.slack.responses.length).toBe(1);
        const second = world.slack.responses[0].body as { replace_original?: boolean; blocks: unknown[] };
        expect(second.replace_original).toBe(true);
        expect(JSON.stringify(second.blocks)).toContain("Page 2 of 2");
        expect(JSON.stringify(second.blocks)).toContain("role21");
        expect(JSON.stringify(second.blocks)).not.toContain("role16");
      });
    });

    describe("role-create and role-delete", () => {
      it("lets an org admin create a custom role, which /team roles then lists", async () => {
        const reply = await say(
          OSCAR,
          'role-create reviewer joins:decide, Usage:View_All description="Approves requests"',
        );
        expect(reply.text).toBe("Created the role reviewer with team:view, joins:decide, usage:view_all.");
        const roles = await say(CAROL, "roles");
        expect(roles.text).toBe("4 roles: owner, admin, member, reviewer.");
        expect(roles.all).toContain("*reviewer* _(custom)_ Approves requests");
        expect(roles.all).not.toContain("No custom roles yet");
      });

      it("refuses anyone who is not an org admin, even a team's owner", async () => {
        await refused(ALICE, "role-create reviewer joins:decide", /Only org admins .* can create roles\.$/);
      });

      it("refuses an unknown permission, naming it and the catalog", async () => {
        await refused(
          OSCAR,
          "role-create reviewer joins:decide,teams:fly",
          /“teams:fly” is not a permission; choose from team:view, /,
        );
      });

      it("refuses an owner-only permission", async () => {
        await refused(
          OSCAR,
          "role-create deputy members:manage,team:transfer",
          /team:transfer belongs to the team's owner alone and can't be part of a custom role\./,
        );
      });

      it("refuses a role with no permissions, a taken name and a built-in name", async () => {
        await refused(
          OSCAR,
          "role-create reviewer",
          /^:no_entry_sign: Name the permissions .*: \/team role-create/,
        );
        await say(OSCAR, "role-create reviewer joins:decide");
        await refused(OSCAR, "role-create Reviewer limits:manage", /A role called Reviewer already exists/);
        await refused(OSCAR, "role-create Admin limits:manage", /Admin is a built-in role/);
        await refused(
          OSCAR,
          "role-create reviewer <@UCAROL1> joins:decide",
          /^:no_entry_sign: Unexpected <@UCAROL1>; write the command like this: \/team role-create/,
        );
      });

      it("deletes a custom role nobody holds", async () => {
        await say(OSCAR, "role-create reviewer joins:decide");
        const reply = await say(OSCAR, "role-delete REVIEWER");
        expect(reply.text).toBe("Deleted the role reviewer.");
        expect((await say(CAROL, "roles")).text).toBe("3 roles: owner, admin, member.");
      });

      it("refuses to delete a role in use, a built-in role, an unknown role, or for a non org admin", async () => {
        await say(OSCAR, "role-create reviewer joins:decide");
        await world.roster.services.members.add(as(ALICE), "Platform", [DAVE], "reviewer");
        await refused(
          OSCAR,
          "role-delete reviewer",
          /reviewer is still held by 1 member and 0 pending invitations; give them another role first\./,
        );
        await refused(OSCAR, "role-delete member", /member is built in and can't be deleted\./);
        await refused(
          OSCAR,
          "role-delete ghost",
          /There is no role called “ghost”; \/team roles lists them\./,
        );
        await refused(ALICE, "role-delete reviewer", /Only org admins .* can delete roles\./);
      });
    });

    describe("grant and revoke", () => {
      it("gives a permission to every member: a plain member can then add people, until it is revoked", async () => {
        const members = async () =>
          (await world.roster.services.members.list(as(ALICE), "Platform")).members
            .map((m) => m.userId)
            .sort();
        await refused(CAROL, "add Platform <@UDAVE1>", /You need the members:manage permission in Platform/);

        const granted = await say(ALICE, "grant Platform Members:Manage");
        expect(granted.text).toBe("Granted members:manage to every active member of Platform.");
        expect((await say(CAROL, "info Platform")).all).toContain(
          "*Granted to all members:* `members:manage`",
        );
        const added = await say(CAROL, "add Platform <@UDAVE1>");
        expect(added.text).not.toMatch(/no_entry_sign/);
        expect(await members()).toEqual([ALICE, BOB, CAROL, DAVE].sort());

        const revoked = await say(BOB, "revoke Platform members:manage");
        expect(revoked.text).toBe("Revoked members:manage from Platform.");
        await refused(CAROL, "add Platform <@UOSCAR1>", /You need the members:manage permission in Platform/);
        expect(await members()).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      });

      it("a granted team:update lets a plain member share resources through /team share", async () => {
        await refused(
          CAROL,
          "share Platform model:gpt-4o read",
          /You need the team:update permission in Platform/,
        );
        await say(ALICE, "grant Platform team:update");
        const shared = await say(CAROL, "share Platform model:gpt-4o read");
        expect(shared.text).toBe("Shared model:gpt-4o with Platform for read.");
      });

      it("refuses a grant from someone without team:update, naming the permission", async () => {
        await refused(
          CAROL,
          "grant Platform limits:manage",
          /^:no_entry_sign: You need the team:update permission in Platform to grant permissions in Platform; ask the team's owner or an admin\.$/,
        );
      });

      it("refuses an unknown permission, an owner-only one, a repeat and a bad revoke", async () => {
        await refused(ALICE, "grant Platform teams:fly", /“teams:fly” is not a permission; choose from /);
        await refused(
          ALICE,
          "grant Platform team:delete",
          /team:delete belongs to the team's owner alone and can't be granted to a whole team\./,
        );
        await say(ALICE, "grant Platform limits:manage");
        await refused(
          ALICE,
          "grant Platform limits:manage",
          /limits:manage is already granted to Platform\./,
        );
        await refused(
          ALICE,
          "revoke Platform keys:manage",
          /“keys:manage” isn't granted to Platform; \/team info Platform lists its grants\./,
        );
        await refused(
          CAROL,
          "revoke Platform limits:manage",
          /You need the team:update permission in Platform/,
        );
        await refused(ALICE, "grant Nowhere limits:manage", /There is no team called “Nowhere”/);
        await refused(
          ALICE,
          "grant Platform",
          /^:no_entry_sign: Name the permission: \/team grant <team> <permission>\.$/,
        );
      });
    });

    describe("share and unshare", () => {
      it("shares a resource, replaces its permissions when shared again, and unshares it", async () => {
        const shared = await say(BOB, "share Platform model:gpt-4o read, execute");
        expect(shared.text).toBe("Shared model:gpt-4o with Platform for read, execute.");
        expect(shared.all).toContain("Every active member of Platform may use it");
        const platformId = (await world.roster.services.teams.get(as(ALICE), "Platform")).team.id;
        const check = (permission: string) =>
          world.roster.services.access.check(
            world.workspaceId,
            platformId,
            CAROL,
            permission,
            "model:gpt-4o",
          );
        expect((await check("execute")).allowed).toBe(true);
        expect((await say(CAROL, "info Platform")).all).toContain("`model:gpt-4o` (read, execute)");

        await say(BOB, "share Platform model:gpt-4o read");
        expect((await check("execute")).allowed).toBe(false);
        expect((await check("read")).allowed).toBe(true);

        const unshared = await say(BOB, "unshare Platform model:gpt-4o");
        expect(unshared.text).toBe("Stopped sharing model:gpt-4o with Platform.");
        expect((await check("read")).reason).toBe("model:gpt-4o is not shared with Platform");
        expect((await say(CAROL, "info Platform")).all).not.toContain("model:gpt-4o");
      });

      it("refuses a resource not written as type:id, and bad or missing permissions", async () => {
        await refused(
          BOB,
          "share Platform gpt-4o read",
          /“gpt-4o” is not a resource; write it as type:id, like model:gpt-4o\./,
        );
        await refused(BOB, "share Platform model: read", /“model:” is not a resource/);
        await refused(
          BOB,
          "share Platform model:gpt-4o",
          /^:no_entry_sign: Name the permissions \(like read,execute\): \/team share/,
        );
        await refused(
          BOB,
          "share Platform model:gpt-4o read!",
          /Give 1 to 20 permissions as lowercase words separated by commas/,
        );
        await refused(BOB, "unshare Platform gpt-4o", /“gpt-4o” is not a resource/);
        await refused(BOB, "unshare Platform model:gpt-4o", /model:gpt-4o isn't shared with Platform\./);
        await refused(
          CAROL,
          "unshare Platform model:gpt-4o",
          /You need the team:update permission in Platform/,
        );
        await refused(
          BOB,
          "unshare Platform model:gpt-4o extra",
          /Unexpected “extra”; write the command like this/,
        );
      });
    });
  },
);
