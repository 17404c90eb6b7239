import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, type SlackWorld } from "../support/slack-app";

const buttons = (message: StandInMessage) => actionButtons(message.blocks);

const isCard = (m: StandInMessage) => m.text?.includes("asks for a total limit") ?? false;

describe.each(testDatabases())("limit requests through Slack on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let db: Database;
  let world: SlackWorld;
  // Fresh IDs per test: each stand-in numbers its messages from the same start, and on MySQL
  // every test shares one database, while Slack never reuses a (channel, ts).
  let OWNER: string, ADMIN: string, MEMBER: string, OUTSIDER: string, CHANNEL: string;
  let teamId: number;
  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    [OWNER, ADMIN, MEMBER, OUTSIDER] = ["owner", "admin", "member", "outsider"].map((l) =>
      world.person(newUserId(l)),
    );
    CHANNEL = `C${newUserId("plat").slice(1)}`;
    world.slack.addChannel({ id: CHANNEL, name: "platform", members: ["UROSTERBOT", OWNER, ADMIN, MEMBER] });
    await world.command(OWNER, `create Platform channel=<#${CHANNEL}|platform>`);
    teamId = (await world.roster.services.teams.get(as(OWNER), "Platform")).team.id;
    await world.roster.services.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    await world.roster.services.members.add(as(OWNER), "Platform", [MEMBER]);
  });

  const as = (userId: string) => ({ workspaceId: world.workspaceId, userId });
  const cards = () => world.slack.messagesTo(CHANNEL).filter(isCard);
  const totalLimit = async (userId: string): Promise<number | null> => {
    const [row] = (await db.dataSource.query(
      "SELECT total_max FROM limits WHERE team_id = ? AND scope = 'member' AND subject_key = ?",
      [teamId, userId],
    )) as { total_max: number | string }[];
    return row ? Number(row.total_max) : null;
  };
  /** Presses the card's button; resolves once the presser was answered or the requester told. */
  const press = async (
    userId: string,
    card: StandInMessage,
    action: "approve" | "deny",
    requester = MEMBER,
  ) => {
    const button = buttons(card).find((b) => b.action_id === `request_${action}:card`);
    if (!button) throw new Error(`no ${action} button on the card`);
    const responses = world.slack.responses.length;
    const dms = world.slack.messagesTo(requester).length;
    await world.press(userId, button.action_id, button.value, { ts: card.ts, channel: card.conversation });
    await expect
      .poll(() => world.slack.responses.length > responses || world.slack.messagesTo(requester).length > dms)
      .toBe(true);
  };
  const lastResponse = () =>
    world.slack.responses.at(-1)?.body as { text: string; replace_original: boolean };

  it("posts a limit request to the channel; an admin's approval raises the member's total limit", async () => {
    const asked = await world.command(
      MEMBER,
      'request platform total=500k reason="Eval runs for the launch"',
    );
    expect(asked.json?.text).toBe(
      `You asked for a total limit of 500,000 tokens in Platform. It's in <#${CHANNEL}> for the team's admins. You'll get a DM when it's decided.`,
    );
    const [card] = cards();
    expect(card.text).toBe(
      `<@${MEMBER}> asks for a total limit of 500,000 tokens in all in Platform (no limit of their own now).`,
    );
    expect(JSON.stringify(card.blocks)).toContain("*Reason:* Eval runs for the launch");

    const again = await world.command(MEMBER, "request Platform total=600000");
    expect(again.json?.text).toBe(
      "Your request for a total limit of 500,000 tokens in Platform is still waiting for an admin; you'll get a DM when it's decided.",
    );
    expect(cards()).toHaveLength(1);

    await press(ADMIN, card, "approve");
    expect(await totalLimit(MEMBER)).toBe(500_000);
    expect(JSON.stringify(cards()[0].blocks)).toContain(`:white_check_mark: Approved by <@${ADMIN}>`);
    expect(buttons(cards()[0])).toEqual([]);
    expect(world.slack.messagesTo(MEMBER).at(-1)?.text).toBe(
      `:white_check_mark: <@${ADMIN}> approved your request for a total limit of 500,000 tokens in *Platform*; it applies now.`,
    );
  });

  it("leaves the limit as it was when the request is denied", async () => {
    await world.command(MEMBER, "request Platform total=500000");
    await press(OWNER, cards()[0], "deny");
    expect(await totalLimit(MEMBER)).toBeNull();
    expect(JSON.stringify(cards()[0].blocks)).toContain(`:x: Denied by <@${OWNER}>`);
    expect(world.slack.messagesTo(MEMBER).at(-1)?.text).toBe(
      `:x: <@${OWNER}> denied your request for a total limit of 500,000 tokens in *Platform*; your limit is unchanged.`,
    );
  });

  it("lets only limits:manage decide, never the requester, and tells the others privately", async () => {
    const orgAdmin = world.person(newUserId("org"), { admin: true });
    await world.command(orgAdmin, "role-create gatekeeper joins:decide");
    const gatekeeper = world.person(newUserId("gate"));
    await world.roster.services.members.add(as(OWNER), "Platform", [gatekeeper], "gatekeeper");

    await world.command(ADMIN, "request Platform total=900000");
    const [card] = cards();
    await press(gatekeeper, card, "approve", ADMIN);
    expect(lastResponse()).toMatchObject({ replace_original: false });
    expect(lastResponse().text).toMatch(/^:no_entry_sign: You need the limits:manage permission in Platform/);
    await press(ADMIN, card, "approve", ADMIN);
    expect(lastResponse().text).toBe(
      ":no_entry_sign: You can't decide your own request; another admin has to.",
    );
    expect(await totalLimit(ADMIN)).toBeNull();
    expect(world.slack.callsTo("chat.update")).toHaveLength(0);
    await press(OWNER, card, "approve", ADMIN);
    expect(await totalLimit(ADMIN)).toBe(900_000);
  });

  it("sends an admin's own request only to the other deciders when the team has no channel", async () => {
    await world.command(OWNER, "set Platform channel=none");
    const asked = await world.command(ADMIN, "request Platform total=900000");
    expect(asked.json?.text).toContain(`It went to <@${OWNER}> to approve or deny.`);
    expect(world.slack.messagesTo(OWNER).filter(isCard)).toHaveLength(1);
    expect(world.slack.messagesTo(ADMIN).filter(isCard)).toHaveLength(0);
  });

  it("answers bad requests with one sentence and posts nothing", async () => {
    const answers = await Promise.all(
      [
        "request Platform",
        "request Platform total=lots",
        "request Platform total=0",
        "request Platform tx=5",
      ].map(async (text) => (await world.command(MEMBER, text)).json?.text?.replace(/^:no_entry_sign: /, "")),
    );
    expect(answers[0]).toBe(
      'Say how many tokens you need, like total=500000: /team request <team> total=<tokens> [reason="…"].',
    );
    expect(answers[1]).toMatch(/^Give total= a whole number like total=/);
    expect(answers[2]).toMatch(/^Give total= a whole number from 1 to /);
    expect(answers[3]).toMatch(/^There is no option “tx=” for \/team request; it accepts total= or reason=/);
    const outsider = await world.command(OUTSIDER, "request Platform total=1000");
    expect(outsider.json?.text).toBe(
      ":no_entry_sign: Only active members of Platform can ask for a higher limit there.",
    );
    expect(world.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });
});
