import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { viewSubmission } from "../../src/stand-in/slack-payloads";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Engineering, Platform and Models
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // plain member of Platform

interface Element {
  type: string;
  action_id: string;
  initial_value?: string;
  initial_conversation?: string;
  initial_option?: { text: unknown; value: string };
  options?: { text: unknown; value: string }[];
}
interface Block {
  type: string;
  block_id?: string;
  element?: Element;
  elements?: { action_id: string; value: string }[];
}
interface OpenedView {
  callback_id: string;
  private_metadata: string;
  blocks: Block[];
}

describe.each(testDatabases())("/team edit and /team delete on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

  beforeEach(async () => {
    world = testWorld();
    for (const id of [ALICE, BOB, CAROL]) world.person(id);
    const { teams, members } = world.roster.services;
    await teams.create(as(ALICE), { name: "Engineering" });
    await teams.create(as(ALICE), {
      name: "Platform",
      parent: "Engineering",
      description: "Models and evals",
      channelId: "C0PLAT1",
      joinPolicy: "approval",
    });
    await teams.create(as(ALICE), { name: "Models", parent: "Platform" });
    await members.add(as(ALICE), "Platform", [BOB], "admin");
    await members.add(as(ALICE), "Platform", [CAROL]);
  });

  async function say(userId: string, text: string) {
    const answer = await world.command(userId, text);
    expect(answer.status).toBe(200);
    return {
      text: (answer.json?.text ?? "").replace(/^:no_entry_sign: /, ""),
      blocks: (answer.json?.blocks ?? []) as Block[],
    };
  }

  async function openEditForm(userId: string, team: string): Promise<OpenedView> {
    const before = world.slack.callsTo("views.open").length;
    const answer = await world.command(userId, `edit ${team}`);
    expect(answer.text).toBe("");
    const calls = world.slack.callsTo("views.open");
    expect(calls).toHaveLength(before + 1);
    return calls[before].args.view as OpenedView;
  }

  /** Submits the form as the user left it: its initial values, with `changes` (block_id → value) typed over them. */
  async function submit(userId: string, view: OpenedView, changes: Record<string, string | null> = {}) {
    const values: Record<string, unknown> = {};
    for (const block of view.blocks) {
      const element = block.element;
      if (block.type !== "input" || !block.block_id || !element) continue;
      const changed = block.block_id in changes;
      const value = changed ? changes[block.block_id] : undefined;
      let state: Record<string, unknown>;
      if (element.type === "static_select") {
        const chosen = changed ? element.options?.find((o) => o.value === value) : element.initial_option;
        state = { selected_option: chosen ?? null };
      } else if (element.type === "conversations_select") {
        state = { selected_conversation: changed ? value : (element.initial_conversation ?? null) };
      } else state = { value: changed ? value : (element.initial_value ?? null) };
      values[block.block_id] = { [element.action_id]: { type: element.type, ...state } };
    }
    const payload = viewSubmission({
      workspaceId: world.workspaceId,
      userId,
      view: {
        id: "V0EDIT1",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        blocks: view.blocks,
        state: { values },
      },
    });
    return postToSlackApp(world.url, SIGNING_SECRET, { payload });
  }

  async function settings(team = "Platform") {
    const { team: t, parent } = await world.roster.services.teams.get(as(ALICE), team);
    return [
      t.name,
      t.description,
      parent?.name ?? null,
      t.channelId,
      t.joinPolicy,
      t.visibility,
      t.resourceSharing,
    ];
  }

  function buttons(blocks: Block[]) {
    return blocks.flatMap((b) => b.elements ?? []);
  }

  it("opens the edit form filled in with the team's current settings", async () => {
    const view = await openEditForm(BOB, "platform");
    expect(view.callback_id).toBe("team_edit_modal");
    expect(JSON.parse(view.private_metadata)).toEqual({ team: "Platform", parent: "Engineering" });
    const initial = Object.fromEntries(
      view.blocks
        .filter((b) => b.type === "input")
        .map((b) => [
          b.block_id,
          b.element?.initial_value ?? b.element?.initial_conversation ?? b.element?.initial_option?.value,
        ]),
    );
    expect(initial).toEqual({
      name: "Platform",
      description: "Models and evals",
      parent: "Engineering",
      channel: "C0PLAT1",
      policy: "approval",
      visibility: "organization",
      sharing: "all_members",
    });
  });

  it("refuses the form to someone without team:update, naming it, and opens nothing", async () => {
    const refused = await say(CAROL, "edit Platform");
    expect(refused.text).toBe(
      "You need the team:update permission in Platform to change Platform; ask the team's owner or an admin.",
    );
    expect(world.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("saves the form, closes it, and tells the user by DM what changed", async () => {
    const view = await openEditForm(BOB, "Platform");
    const answer = await submit(BOB, view, { name: "Platform Core", visibility: "private", channel: null });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    expect(await settings("platform core")).toEqual([
      "Platform Core",
      "Models and evals",
      "Engineering",
      null,
      "approval",
      "private",
      "all_members",
    ]);
    await expect.poll(() => world.slack.messagesTo(BOB).length).toBe(1);
    expect(world.slack.messagesTo(BOB)[0].text).toBe(
      "Updated Platform Core: name Platform → Platform Core, channel <#C0PLAT1> → none, visibility organization → private.",
    );
  });

  it("puts a refusal under the field it is about and changes nothing", async () => {
    const before = await settings();
    const view = await openEditForm(ALICE, "Platform");
    const taken = await submit(ALICE, view, { name: "engineering", description: "changed" });
    expect(taken.json).toEqual({
      response_action: "errors",
      errors: {
        name: "A team called “engineering” already exists (names ignore case); choose another name.",
      },
    });
    const loop = await submit(ALICE, view, { parent: "Models", description: "changed" });
    expect(loop.json).toEqual({
      response_action: "errors",
      errors: {
        parent: "Platform can't go under Models, which is inside Platform already; that would make a loop.",
      },
    });
    const missing = await submit(ALICE, view, { parent: "Nowhere" });
    expect((missing.json as { errors: Record<string, string> }).errors.parent).toMatch(
      /no team called “Nowhere”/,
    );
    const demoted = await submit(CAROL, view, { description: "changed" });
    expect((demoted.json as { errors: Record<string, string> }).errors.name).toMatch(
      /^You need the team:update permission in Platform/,
    );
    expect(await settings()).toEqual(before);
    expect(world.slack.messagesTo(ALICE)).toHaveLength(0);
  });

  it("previews a delete, and Cancel changes nothing", async () => {
    await world.roster.services.access.grant(as(ALICE), "Models", "usage:view_all");
    await world.roster.services.access.share(as(ALICE), "Models", "model:gpt-4o", ["read", "execute"]);
    await world.roster.services.members.add(as(ALICE), "Models", [BOB, CAROL]);
    await world.roster.services.members.deactivate(as(ALICE), "Models", [CAROL]);
    const preview = await say(ALICE, "delete models");
    expect(preview.text).toBe(
      ":warning: Delete *Models* and its 3 members (1 deactivated), 1 granted permission, 1 shared resource, " +
        "along with its invitations, join requests, limits, usage and API keys? This can't be undone.",
    );
    const [confirm, cancel] = buttons(preview.blocks);
    expect(confirm).toMatchObject({ action_id: "team_confirm_command:yes", value: "delete models" });
    expect(cancel.action_id).toBe("team_cancel_command:no");

    await world.press(ALICE, cancel.action_id, cancel.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    expect(world.slack.responses[0].body).toMatchObject({ text: "Cancelled; nothing was changed." });
    expect((await say(BOB, "info Models")).text).toContain("Models: owner <@UALICE1>, 2 members");
  });

  it("deletes the team, only when Confirm is pressed", async () => {
    await world.roster.services.access.grant(as(ALICE), "Models", "usage:view_all");
    const preview = await say(ALICE, "delete Models");
    const [confirm] = buttons(preview.blocks);
    expect((await say(ALICE, "info Models")).text).toContain("Models: owner");

    await world.press(ALICE, "team_confirm_command:yes", confirm.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    expect(world.slack.responses[0].body).toMatchObject({ text: "Deleted Models.", replace_original: true });
    expect((await say(ALICE, "info Models")).text).toMatch(/^There is no team called “Models”/);
    expect((await say(ALICE, "tree Platform")).text).toBe("Platform has no sub-teams you can see.");
  });

  it("refuses a delete without team:delete or with sub-teams, before and after Confirm", async () => {
    const admin = await say(BOB, "delete Platform");
    expect(admin.text).toBe(
      "You need the team:delete permission in Platform to delete Platform; ask the team's owner or an admin.",
    );
    expect(buttons(admin.blocks)).toEqual([]);
    const parent = await say(ALICE, "delete Platform");
    expect(parent.text).toBe(
      "Platform has 1 sub-team; move them elsewhere (/team set <sub-team> parent=…) or delete them first.",
    );
    expect(buttons(parent.blocks)).toEqual([]);

    // Confirm replays the command as whoever presses it, and the service asks the policy again.
    const preview = await say(ALICE, "delete Models");
    const [confirm] = buttons(preview.blocks);
    await world.roster.services.members.add(as(ALICE), "Models", [BOB], "admin");
    await world.press(BOB, confirm.action_id, confirm.value);
    await expect.poll(() => world.slack.responses.length).toBe(1);
    expect(world.slack.responses[0].body).toMatchObject({
      text: ":no_entry_sign: You need the team:delete permission in Models to delete Models; ask the team's owner or an admin.",
    });
    expect((await say(BOB, "info Models")).text).toContain("Models: owner <@UALICE1>");
  });
});
