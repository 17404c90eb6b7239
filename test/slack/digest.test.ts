import { beforeEach, describe, expect, it } from "vitest";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { viewSubmission } from "../../src/stand-in/slack-payloads";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, commandReply, SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

// The digest's clock runs in 2005 (job tests use 2001–2003); the app's TIMEZONE is UTC.
const JOINED = Date.UTC(2005, 3, 4, 9);
const NOW = Date.UTC(2005, 4, 11, 12); // Wednesday 11 May 2005

interface DigestButton {
  action_id: string;
  value: string;
  text: { text: string };
  confirm?: { title: { text: string }; text: { text: string } };
}

describe.each(testDatabases())("/team digest and its buttons on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let OWNER: string, ADMIN: string, MEMBER: string, IDLE: string, OUTSIDER: string, CHANNEL: string;
  let teamId: number;

  const as = (userId: string) => ({ workspaceId: world.workspaceId, userId });
  const buttons = (blocks: unknown[]) => actionButtons(blocks) as unknown as DigestButton[];
  const statusOf = async (userId: string) => {
    const [row] = (await world.db.dataSource.query(
      "SELECT status FROM memberships WHERE team_id = ? AND user_id = ?",
      [teamId, userId],
    )) as { status: string }[];
    return row?.status;
  };
  /** Presses a button on a message in the team's channel; resolves with the private answer. */
  const press = async (userId: string, button: DigestButton) => {
    const before = world.slack.responses.length;
    await world.press(userId, button.action_id, button.value, { ts: "1115812800.000100", channel: CHANNEL });
    await expect.poll(() => world.slack.responses.length).toBeGreaterThan(before);
    return world.slack.responses.at(-1)!.body as {
      text: string;
      response_type: string;
      replace_original: boolean;
    };
  };

  beforeEach(async () => {
    world = testWorld();
    [OWNER, ADMIN, MEMBER, IDLE, OUTSIDER] = ["owner", "admin", "member", "idle", "outsider"].map((l) =>
      world.person(newUserId(l)),
    );
    CHANNEL = `C${newUserId("plat").slice(1)}`;
    world.slack.addChannel({ id: CHANNEL, name: "platform", members: ["UROSTERBOT", OWNER, ADMIN, MEMBER] });
    world.clock.set(JOINED);
    const s = world.roster.services;
    teamId = (await s.teams.create(as(OWNER), { name: "Platform", channelId: CHANNEL })).id;
    await s.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    await s.members.add(as(OWNER), "Platform", [MEMBER, IDLE]);
    await s.limits.set(as(OWNER), "Platform", { userId: MEMBER, totalMax: 5_000, period: "weekly" });
    await s.teams.create(as(OWNER), { name: "Secret", visibility: "private" });
    world.clock.set(NOW);
    const { results } = await s.usage.record(world.workspaceId, teamId, [
      {
        transactionId: "d-1",
        userId: MEMBER,
        tokens: 4_200,
        resource: "gpt-4o",
        occurredAt: Date.UTC(2005, 4, 9, 10),
      },
      {
        transactionId: "d-2",
        userId: ADMIN,
        tokens: 800,
        resource: "claude",
        occurredAt: Date.UTC(2005, 4, 2, 10),
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
  });

  it("previews the week so far privately; admins see what waits for them and Deactivate buttons", async () => {
    const admin = await commandReply(world, ADMIN, "digest platform");
    expect(admin.text).toBe(
      "Platform digest so far, 9 – 11 May 2005: 4,200 tokens (▲ 425% from 800 the same days last week). " +
        `Top: <@${MEMBER}> 4,200. 1 member near or over a limit. 1 member with no usage for four weeks.`,
    );
    expect(admin.all).toContain("Platform · this week so far");
    expect(admin.all).toContain(`1. <@${MEMBER}> — *4,200* · 84% of 5,000 a week :large_orange_circle:`);
    expect(admin.all).toContain("*Waiting for admins*\\nNothing waits for admins.");
    expect(admin.all).toContain(`The weekly digest goes to <#${CHANNEL}>`);
    const deactivate = buttons(admin.blocks).find(
      (b) => b.action_id === `team_run_command:deactivate-${IDLE}`,
    );
    expect(deactivate?.value).toBe(`deactivate Platform <@${IDLE}>`);
    expect(deactivate?.confirm?.title.text).toBe(`Deactivate @${IDLE.toLowerCase()}?`);

    const member = await commandReply(world, MEMBER, "digest Platform");
    expect(member.all).not.toContain("Waiting for admins");
    expect(buttons(member.blocks).map((b) => b.text.text)).toEqual(["Request more tokens"]);
  });

  it("is not found for an outsider to a private team, and says how to write the command", async () => {
    expect((await commandReply(world, OUTSIDER, "digest Secret")).text).toBe(
      "There is no team called “Secret”; /team list shows the teams you can see.",
    );
    expect((await commandReply(world, MEMBER, "digest Platform post members")).text).toBe(
      "Use post or members, not both: /team digest <team> [post].",
    );
    expect((await commandReply(world, MEMBER, "digest Platform members week=2005-05-10")).text).toBe(
      "week= is the date of a Monday written YYYY-MM-DD, like week=2005-05-09.",
    );
    expect((await commandReply(world, MEMBER, "digest Platform post")).text).toBe(
      "You need the team:update permission in Platform to post Platform's digest; ask the team's owner or an admin.",
    );
  });

  it("lists every member's spend for a named week", async () => {
    const reply = await commandReply(world, MEMBER, "digest Platform members week=2005-05-02");
    expect(reply.text).toBe("Spend by member in Platform, 2 – 8 May 2005: page 1 of 1.");
    expect(reply.all).toContain(`1. <@${ADMIN}> — *800*`);
    expect(reply.all).toContain("Page 1 of 1 · 4 members · 800 tokens");
  });

  it("deactivates an idle member for an admin, and refuses a plain member privately", async () => {
    const { blocks } = await commandReply(world, ADMIN, "digest Platform");
    const deactivate = buttons(blocks).find((b) => b.action_id === `team_run_command:deactivate-${IDLE}`)!;

    const refused = await press(MEMBER, deactivate);
    expect(refused).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(refused.text).toMatch(/^:no_entry_sign: You need the members:manage permission in Platform/);
    expect(await statusOf(IDLE)).toBe("active");

    const done = await press(ADMIN, deactivate);
    expect(done.response_type).toBe("ephemeral");
    expect(done.text).toContain(`<@${IDLE}>`);
    expect(await statusOf(IDLE)).toBe("inactive");
  });

  it("opens Request more as a form whose submission makes a limit request", async () => {
    const { blocks } = await commandReply(world, MEMBER, "digest Platform");
    const more = buttons(blocks).find((b) => b.text.text === "Request more tokens")!;
    expect(more.value).toBe(String(teamId));

    const refused = await press(OUTSIDER, more);
    expect(refused.text).toBe(
      ":no_entry_sign: Only active members of Platform can ask for a higher limit there.",
    );
    expect(world.slack.callsTo("views.open")).toHaveLength(0);

    await world.press(MEMBER, more.action_id, more.value, { ts: "1115812800.000100", channel: CHANNEL });
    await expect.poll(() => world.slack.callsTo("views.open").length).toBe(1);
    const view = world.slack.callsTo("views.open")[0].args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: { text?: { text: string } }[];
    };
    expect(view.callback_id).toBe("limit_request_modal");
    expect(view.blocks[0].text?.text).toContain("Your total limit there is 5,000 tokens a week");

    const submit = (tokens: string, reason: string) =>
      postToSlackApp(world.url, SIGNING_SECRET, {
        payload: viewSubmission({
          workspaceId: world.workspaceId,
          userId: MEMBER,
          view: {
            id: "VREQUEST1",
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            blocks: view.blocks,
            state: {
              values: {
                tokens: { value: { type: "plain_text_input", value: tokens } },
                reason: { value: { type: "plain_text_input", value: reason } },
              },
            },
          },
        }),
      });
    const pending = async () =>
      (await world.db.dataSource.query(
        "SELECT details FROM approval_requests WHERE team_id = ? AND kind = 'limit' AND status = 'pending'",
        [teamId],
      )) as { details: string }[];

    expect((await submit("lots", "")).json).toEqual({
      response_action: "errors",
      errors: { tokens: "Write the total you need as a number of tokens, like 500000, 500k or 1.5m." },
    });
    expect((await submit("4k", "")).json).toMatchObject({
      response_action: "errors",
      errors: { tokens: expect.stringMatching(/already 5,000 tokens a week; ask for more than that/) },
    });
    expect(await pending()).toEqual([]);

    const ok = await submit("12.5k", "Eval runs");
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("");
    const [row] = await pending();
    expect(JSON.parse(row.details)).toMatchObject({ total: 12_500, reason: "Eval runs" });
    await expect
      .poll(() => world.slack.messagesTo(CHANNEL).some((m) => m.text?.includes("asks for a total limit")))
      .toBe(true);
    await expect.poll(() => world.slack.messagesTo(MEMBER).length).toBe(1);
    expect(world.slack.messagesTo(MEMBER)[0].text).toContain("12,500 tokens in Platform");
  });
});
