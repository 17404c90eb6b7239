import type { Button, SectionBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { TeamEntity } from "../../entities";
import { FillError, ModalForm } from "../../src/console/form";
import { Directory, seedWorkspace, slackCommandText } from "../../src/console/people";
import { mrkdwn, renderBlocks, renderForm, renderHome, renderMessage } from "../../src/console/render";
import { confirmPreview } from "../../src/slack/blocks/confirm.blocks";
import { homeView } from "../../src/slack/blocks/home.blocks";
import { teamInfoReply, teamListReply } from "../../src/slack/blocks/team.blocks";
import { createTeamModal } from "../../src/slack/views/team-create.modal";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";

// The demo directory, without a server: only its maps are read.
const standIn = new SlackStandIn();
seedWorkspace(standIn);
const directory = new Directory(standIn);
const names = {
  user: (id: string) => directory.userName(id),
  channel: (id: string) => directory.channelName(id),
};
const plain = { color: false, names };

const CREATED = Date.UTC(2025, 2, 14, 9, 30);

function team(fields: Partial<TeamEntity> = {}): TeamEntity {
  return {
    id: 7,
    workspaceId: "T0ROSTER",
    name: "AI Platform",
    nameKey: "ai platform",
    description: "Models & evals",
    parentId: null,
    channelId: "CGENERAL",
    visibility: "organization",
    joinPolicy: "approval",
    resourceSharing: "all_members",
    metadata: {},
    createdBy: "UALICE",
    createdAt: CREATED,
    updatedAt: CREATED,
    ...fields,
  };
}

describe("mrkdwn", () => {
  it("reads like a Slack client shows it, without colour", () => {
    const text =
      "*Owner:* <@UBOB> in <#CGENERAL> · `/team info x` · _invite only_ · <!date^1741944600^{date_short}|2025-03-14> · <https://roster.dev|docs> · <mailto:c@d.io|c@d.io> · a &lt;b&gt; &amp; c :white_check_mark:";
    expect(mrkdwn(text, plain)).toBe(
      "Owner: @bob in #general · `/team info x` · invite only · 2025-03-14 · docs (https://roster.dev) · c@d.io · a <b> & c ✅",
    );
  });

  it("leaves snake_case, unknown emoji and unknown IDs alone, and labels unknown people", () => {
    expect(mrkdwn("team_run_command :no_such_emoji: <@UNOBODY> <@UNOBODY|zed> <#CNONE|ops>", plain)).toBe(
      "team_run_command :no_such_emoji: @UNOBODY @zed #ops",
    );
  });

  it("uses ANSI bold, italic and cyan code only when colour is on", () => {
    const coloured = mrkdwn("*Owner* _x_ `code`", { color: true, names });
    expect(coloured).toBe("\u001b[1mOwner\u001b[22m \u001b[3mx\u001b[23m \u001b[36mcode\u001b[39m");
  });
});

describe("renderBlocks on the app's own Block Kit", () => {
  const details = {
    team: team(),
    parent: team({ id: 1, name: "Engineering" }),
    children: [team({ id: 9, name: "Evals" })],
    ownerId: "UALICE",
    memberCount: 3,
    viewerRole: "admin",
    viewerPermissions: [],
  };

  it("shows /team info as a header, labelled fields, context and numbered buttons", () => {
    const reply = teamInfoReply(details, { grants: [], resources: [] });
    const { text, buttons } = renderBlocks(reply.blocks ?? [], plain);
    expect(text).toBe(
      [
        "AI Platform",
        "═══════════",
        "Models & evals",
        "Owner: @alice",
        "Members: 3 active members",
        "Parent: Engineering",
        "Channel: #general",
        "Joining: Approval: admins approve requests",
        "Visibility: Whole organisation",
        "Resources: Shared with all members",
        "Your role: admin",
        "Sub-teams: Evals",
        "Created 2025-03-14 · updated 2025-03-14",
        "[1] Members  [2] Sub-team tree  [3] Activity",
      ].join("\n"),
    );
    expect(buttons.map((b) => [b.n, b.actionId, b.value, b.blockId])).toEqual([
      [1, "team_run_command:members", 'members "AI Platform"', "team_info_actions"],
      [2, "team_run_command:tree", 'tree "AI Platform"', "team_info_actions"],
      [3, "team_run_command:activity", 'activity "AI Platform"', "team_info_actions"],
    ]);
  });

  it("numbers buttons on from what is already on screen", () => {
    const reply = teamInfoReply(details, { grants: [], resources: [] });
    const { text, buttons } = renderBlocks(reply.blocks ?? [], { ...plain, firstButton: 4 });
    expect(text).toContain("[4] Members  [5] Sub-team tree  [6] Activity");
    expect(buttons.map((b) => b.n)).toEqual([4, 5, 6]);
  });

  it("shows a list page with its Next button and says where the message came from", () => {
    const teams = [{ ...team({ name: "Zeta", joinPolicy: "invite_only", description: "" }), memberCount: 1 }];
    const reply = teamListReply({ teams, total: 21, page: 1, pages: 2 }, {});
    const { text, buttons } = renderMessage(reply, "only you can see this", plain);
    expect(text).toBe(
      "Roster · only you can see this\n  • Zeta · 1 member · invite only\n  Page 1 of 2 · 21 teams\n  [1] Next ▶",
    );
    expect(buttons[0]).toMatchObject({ actionId: "team_page:next", value: "list page=2" });
  });

  it("shows a confirmation preview's buttons with their styles in colour", () => {
    const reply = confirmPreview("remove Platform <@UBOB>", "Remove @bob from Platform?");
    const { text, buttons } = renderMessage(reply, "only you can see this", { color: true, names });
    expect(text).toContain("\u001b[31mConfirm\u001b[39m");
    expect(buttons.map((b) => b.value)).toEqual(["remove Platform <@UBOB>", "cancel"]);
    expect(renderMessage(reply, "x", plain).text).not.toContain("\u001b");
  });

  it("shows the App Home with section accessories numbered in order", () => {
    const view = homeView({
      userId: "UALICE",
      isOrgAdmin: true,
      teams: [{ team: team(), role: "owner", status: "active", memberCount: 3, canManage: true }],
      invitations: [],
      waiting: [],
      requests: [],
    });
    const { text, buttons } = renderHome(view.blocks, "", plain);
    expect(text.startsWith("╭─ Roster · Home\n│ Your teams\n")).toBe(true);
    expect(text).toMatch(/│ AI Platform · owner · 3 members[^[]*\[3\] Manage/);
    expect(buttons.map((b) => b.label)).toEqual(["Create a team", "Browse teams", "Manage"]);
    const accessories = view.blocks.map((b) => (b as SectionBlock).accessory);
    const manage = accessories.find((a): a is Button => a?.type === "button");
    expect(buttons[2]).toMatchObject({ actionId: manage?.action_id, value: manage?.value });
  });
});

describe("the create form", () => {
  const modal = () => new ModalForm({ id: "V1", ...createTeamModal() });

  it("lists each field with its value, marks the required ones, and says how to fill it", () => {
    const { text } = renderForm(modal().parts(directory), plain);
    expect(text.split("\n")).toEqual([
      "╭─ Create a team",
      "│ Name * [name]: ‹empty›",
      "│     e.g. AI Platform",
      "│ Description [description]: ‹empty›",
      "│ Parent team [parent]: ‹empty›",
      "│     The name of an existing team this one belongs under.",
      "│ Team channel [channel]: ‹empty›",
      "│     a channel, e.g. #general",
      "│ Who can join * [policy]: Anyone (open)",
      "│     one of: open | approval | invite_only",
      "│ Visible to * [visibility]: The whole organisation",
      "│     one of: organization | private",
      "╰─ fill <field> <value> · submit (Create) · cancel (Cancel)",
    ]);
  });

  it("fills fields by block_id or label into Slack's view.state.values", () => {
    const form = modal();
    expect(form.fill('name "AI Platform"', directory).shown).toBe("AI Platform");
    expect(form.fill("who can join Anyone, once", directory).shown).toBe("Anyone, once an admin approves");
    expect(form.fill("channel #general", directory).shown).toBe("#general");
    const state = form.stateValues();
    expect(state.name).toEqual({ value: { type: "plain_text_input", value: "AI Platform" } });
    expect(state.description).toEqual({ value: { type: "plain_text_input", value: null } });
    expect(state.policy.value.selected_option).toMatchObject({ value: "approval" });
    expect(state.channel).toEqual({
      value: { type: "conversations_select", selected_conversation: "CGENERAL" },
    });
    expect(form.missing()).toEqual([]);
  });

  it("refuses what Slack's client would refuse, naming the choices", () => {
    const form = modal();
    expect(form.missing()).toEqual(["name"]);
    expect(() => form.fill("policy sometimes", directory)).toThrow(
      new FillError("“sometimes” is not one of the choices: open, approval, invite_only."),
    );
    expect(() => form.fill(`name ${"x".repeat(81)}`, directory)).toThrow(/at most 80/);
    expect(() => form.fill("colour blue", directory)).toThrow(/no field “colour”/);
    expect(() => form.fill("channel #nowhere", directory)).toThrow(/no channel #nowhere/);
  });
});

describe("typed command text", () => {
  it("arrives escaped and linked exactly as Slack sends it with should_escape", () => {
    expect(
      slackCommandText('add Platform @bob @Carol. zed@x.io channel=#platform "a<b & c" @nobody', directory),
    ).toBe(
      'add Platform <@UBOB|bob> <@UCAROL|Carol>. <mailto:zed@x.io|zed@x.io> channel=<#CPLATFORM|platform> "a&lt;b &amp; c" @nobody',
    );
  });
});
