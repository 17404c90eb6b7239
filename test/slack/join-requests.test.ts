import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../../src/db/database";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { blockActions } from "../../src/stand-in/slack-payloads";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, SIGNING_SECRET, type SlackWorld, slackWorld } from "../support/slack-app";

const buttons = (message: StandInMessage) => actionButtons(message.blocks);

const isCard = (m: StandInMessage) => m.text?.includes("asks to join") ?? false;

describe.each(testDatabases())("join requests through Slack on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let db: Database;
  let world: SlackWorld;
  // Fresh IDs per test: Slack never reuses a (channel, ts), but each stand-in numbers its messages
  // from the same start, and on MySQL every test shares one database.
  let OWNER: string, ADMIN: string, MEMBER: string, NEWBIE: string, OUTSIDER: string, CHANNEL: string;
  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    [OWNER, ADMIN, MEMBER, NEWBIE, OUTSIDER] = ["owner", "admin", "member", "newbie", "outsider"].map(
      (label) => newUserId(label),
    );
    CHANNEL = `C${newUserId("plat").slice(1)}`;
    for (const id of [OWNER, ADMIN, MEMBER, NEWBIE, OUTSIDER]) world.person(id);
    await world.command(OWNER, "create Platform policy=approval");
    await world.roster.services.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    await world.roster.services.members.add(as(OWNER), "Platform", [MEMBER]);
  });

  const as = (userId: string) => ({ workspaceId: world.workspaceId, userId });
  const members = async () =>
    (await world.roster.services.members.list(as(OWNER), "Platform")).members.map((m) => m.userId);
  const cardsIn = (conversation: string) => world.slack.messagesTo(conversation).filter(isCard);
  const withChannel = async () => {
    world.slack.addChannel({ id: CHANNEL, name: "platform", members: ["UROSTERBOT", OWNER, ADMIN] });
    await world.command(OWNER, `set Platform channel=<#${CHANNEL}|platform>`);
  };
  /** Presses a card's button and waits until the app has answered the press. */
  const pressCard = async (userId: string, card: StandInMessage, action: "approve" | "deny") => {
    const button = buttons(card).find((b) => b.action_id === `request_${action}:card`);
    if (!button) throw new Error(`no ${action} button on the card`);
    // Answered: privately (a response_url post), or by deciding (which ends with the requester's DM).
    const responses = world.slack.responses.length;
    const dms = world.slack.messagesTo(NEWBIE).length;
    await world.press(userId, button.action_id, button.value, { ts: card.ts, channel: card.conversation });
    await expect
      .poll(() => world.slack.responses.length > responses || world.slack.messagesTo(NEWBIE).length > dms)
      .toBe(true);
  };
  const lastResponse = () =>
    world.slack.responses.at(-1)?.body as { text: string; response_type: string; replace_original: boolean };

  it("joins an open team at once and refuses an invite-only one, naming its owner", async () => {
    await world.command(OWNER, "set Platform policy=open");
    expect((await world.command(NEWBIE, "join platform")).json?.text).toBe("You joined Platform.");
    expect(await members()).toContain(NEWBIE);

    await world.command(OWNER, "create Vault policy=invite_only");
    const refused = await world.command(OUTSIDER, "join Vault");
    expect(refused.json?.text).toBe(
      `:no_entry_sign: Vault is invite-only; ask <@${OWNER}> or one of its admins to invite you.`,
    );
    expect(world.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("posts one approval card to the team's channel, and only says it's waiting when asked again", async () => {
    await withChannel();
    const asked = await world.command(NEWBIE, "join Platform");
    expect(asked.json?.text).toBe(
      `Platform needs an admin's approval, so you asked to join. It's in <#${CHANNEL}> for the team's admins. You'll get a DM when it's decided.`,
    );
    const [card] = cardsIn(CHANNEL);
    expect(card.text).toBe(`<@${NEWBIE}> asks to join Platform.`);
    expect(JSON.stringify(card.blocks)).toContain("Asked <!date^");
    expect(buttons(card).map((b) => b.action_id)).toEqual(["request_approve:card", "request_deny:card"]);
    expect(cardsIn(OWNER).concat(cardsIn(ADMIN))).toHaveLength(0);

    const again = await world.command(NEWBIE, "join Platform");
    expect(again.json?.text).toBe(
      "Your request to join Platform is still waiting for an admin; you'll get a DM when it's decided.",
    );
    expect(world.slack.messages.filter(isCard)).toHaveLength(1);
    expect(await members()).not.toContain(NEWBIE);
  });

  it("sends the card by DM to each admin and the owner when the team has no channel", async () => {
    const asked = await world.command(NEWBIE, "join Platform");
    expect(asked.json?.text).toContain(`It went to <@${OWNER}>, <@${ADMIN}> to approve or deny.`);
    expect(cardsIn(OWNER)).toHaveLength(1);
    expect(cardsIn(ADMIN)).toHaveLength(1);
    expect(cardsIn(MEMBER)).toHaveLength(0);
  });

  it("falls back to DMs, logging once, when the channel post fails", async () => {
    await withChannel();
    const warn = vi.spyOn(world.roster.deps.logger, "warn");
    world.slack.failNext("chat.postMessage", { error: "not_in_channel" });
    const asked = await world.command(NEWBIE, "join Platform");
    expect(asked.json?.text).toContain(`It went to <@${OWNER}>, <@${ADMIN}>`);
    expect(cardsIn(CHANNEL)).toHaveLength(0);
    expect([cardsIn(OWNER).length, cardsIn(ADMIN).length]).toEqual([1, 1]);
    const logged = warn.mock.calls.filter(([, message]) => String(message).includes("team's channel"));
    expect(logged).toHaveLength(1);
    expect(logged[0][0]).toMatchObject({ channelId: CHANNEL, error: "not_in_channel" });
  });

  it("refuses Approve from an outsider and a plain member privately, and changes nothing", async () => {
    await withChannel();
    await world.command(NEWBIE, "join Platform");
    const [card] = cardsIn(CHANNEL);
    for (const someone of [OUTSIDER, MEMBER]) {
      await pressCard(someone, card, "approve");
      expect(lastResponse()).toEqual({
        text: ":no_entry_sign: You need the joins:decide permission in Platform to decide join requests for Platform; ask the team's owner or an admin.",
        blocks: expect.any(Array),
        response_type: "ephemeral",
        replace_original: false,
      });
    }
    await pressCard(NEWBIE, card, "deny");
    expect(lastResponse().text).toContain("joins:decide");
    expect(world.slack.callsTo("chat.update")).toHaveLength(0);
    expect(cardsIn(CHANNEL)[0].edited).toBeUndefined();
    expect(await members()).not.toContain(NEWBIE);
    expect(world.slack.messagesTo(NEWBIE)).toHaveLength(0);
  });

  it("approves from an admin's DM: every card shows who decided, the requester is told and joins", async () => {
    await world.command(NEWBIE, "join Platform");
    const [adminCard] = cardsIn(ADMIN);
    const asFirstShown = structuredClone(adminCard);
    await pressCard(ADMIN, adminCard, "approve");
    await expect.poll(() => world.slack.messagesTo(NEWBIE).length).toBe(1);

    const updates = world.slack.callsTo("chat.update");
    expect(updates).toHaveLength(2);
    for (const card of [...cardsIn(ADMIN), ...cardsIn(OWNER)]) {
      expect(card.edited).toBe(true);
      expect(buttons(card)).toEqual([]);
      expect(JSON.stringify(card.blocks)).toContain(`:white_check_mark: Approved by <@${ADMIN}> · <!date^`);
      expect(card.text).toMatch(new RegExp(`^:white_check_mark: Approved by <@${ADMIN}>`));
    }
    expect(world.slack.messagesTo(NEWBIE)[0].text).toBe(
      `:white_check_mark: <@${ADMIN}> approved your request to join *Platform*; you're a member now.`,
    );
    expect(await members()).toContain(NEWBIE);

    // A press from a screen that still shows the buttons (Slack clients lag) changes nothing.
    await pressCard(OWNER, asFirstShown, "deny");
    expect(lastResponse()).toMatchObject({
      text: `This request was already approved by <@${ADMIN}>; nothing changed.`,
      response_type: "ephemeral",
      replace_original: false,
    });
    expect(world.slack.callsTo("chat.update")).toHaveLength(2);
    expect(await members()).toContain(NEWBIE);
  });

  it("denies from the channel card: the card says so, the requester is told, nobody joins", async () => {
    await withChannel();
    await world.command(NEWBIE, "join Platform");
    await pressCard(OWNER, cardsIn(CHANNEL)[0], "deny");
    await expect.poll(() => world.slack.messagesTo(NEWBIE).length).toBe(1);
    const [card] = cardsIn(CHANNEL);
    expect(JSON.stringify(card.blocks)).toContain(`:x: Denied by <@${OWNER}>`);
    expect(buttons(card)).toEqual([]);
    expect(world.slack.messagesTo(NEWBIE)[0].text).toBe(
      `:x: <@${OWNER}> denied your request to join *Platform*.`,
    );
    expect(await members()).not.toContain(NEWBIE);
    // Asking again after a denial makes a new request and a new card.
    await world.command(NEWBIE, "join Platform");
    expect(cardsIn(CHANNEL)).toHaveLength(2);
  });

  it("decides from the App Home, refreshes both Homes, and refuses a member in a modal", async () => {
    await world.command(NEWBIE, "join Platform");
    const [request] = await world.roster.services.approvals.mine(as(NEWBIE));
    const pressInHome = (userId: string, actionId: string) =>
      postToSlackApp(world.url, SIGNING_SECRET, {
        payload: blockActions({
          workspaceId: world.workspaceId,
          userId,
          actionId,
          value: String(request.id),
          view: { id: "VHOME1", type: "home", blocks: [] },
          container: { type: "view", view_id: "VHOME1" },
        }),
      });
    await pressInHome(MEMBER, "request_approve:home");
    await expect.poll(() => world.slack.callsTo("views.open").length).toBe(1);
    expect(JSON.stringify(world.slack.callsTo("views.open")[0].args.view)).toContain("joins:decide");
    expect(await members()).not.toContain(NEWBIE);

    await pressInHome(ADMIN, "request_approve:home");
    await expect.poll(() => world.slack.homeOf(ADMIN) !== undefined).toBe(true);
    await world.roster.deps.home.flush();
    expect(JSON.stringify(world.slack.homeOf(ADMIN)?.blocks)).not.toContain("asks to join");
    expect(JSON.stringify(world.slack.homeOf(NEWBIE)?.blocks)).toContain("*Platform* · member");
    expect(world.slack.callsTo("chat.update")).toHaveLength(2);
    expect(await members()).toContain(NEWBIE);
  });
  describe("races between two copies of the bot on one database", () => {
    let second: SlackWorld;
    beforeEach(async () => {
      second = await slackWorld(db, { sameWorkspaceAs: world });
      await withChannel();
      await world.command(NEWBIE, "join Platform");
    });
    afterEach(async () => {
      await second.close();
    });

    /** 20 presses at once, alternating between the two copies and between the owner and the admin. */
    const race = async (approveWhen: (i: number) => boolean) => {
      const [card] = cardsIn(CHANNEL);
      const value = buttons(card)[0].value;
      const message = { ts: card.ts, channel: CHANNEL };
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? second : world).press(
            i % 4 < 2 ? ADMIN : OWNER,
            approveWhen(i) ? "request_approve:card" : "request_deny:card",
            value,
            message,
          ),
        ),
      );
      // The winner updates the card and DMs the requester; the other 19 are told privately.
      await expect.poll(() => world.slack.responses.length, { timeout: 10_000 }).toBe(19);
      await expect.poll(() => world.slack.messagesTo(NEWBIE).length, { timeout: 10_000 }).toBe(1);
      const decided = (await db.dataSource.query(
        "SELECT a.action, a.actor_user_id FROM audit_events a JOIN teams t ON t.id = a.team_id " +
          "WHERE t.workspace_id = ? AND a.action IN ('request.approved', 'request.denied')",
        [world.workspaceId],
      )) as { action: string; actor_user_id: string }[];
      return decided;
    };

    it("20 concurrent Approve presses decide once, add one member and update the card once", async () => {
      const decided = await race(() => true);
      expect(decided).toHaveLength(1);
      expect(decided[0].action).toBe("request.approved");
      const joined = (await members()).filter((id) => id === NEWBIE);
      expect(joined).toHaveLength(1);
      expect(world.slack.callsTo("chat.update")).toHaveLength(1);
      expect(JSON.stringify(cardsIn(CHANNEL)[0].blocks)).toContain(
        `Approved by <@${decided[0].actor_user_id}>`,
      );
      for (const { body } of world.slack.responses) {
        expect(body).toMatchObject({ response_type: "ephemeral", replace_original: false });
        expect((body as { text: string }).text).toMatch(/^This request was already approved by/);
      }
    });

    it("20 concurrent presses mixing Approve and Deny have exactly one outcome", async () => {
      const decided = await race((i) => i % 3 !== 0);
      expect(decided).toHaveLength(1);
      const approved = decided[0].action === "request.approved";
      expect((await members()).includes(NEWBIE)).toBe(approved);
      expect(world.slack.callsTo("chat.update")).toHaveLength(1);
      const verdict = approved ? "Approved by" : "Denied by";
      expect(JSON.stringify(cardsIn(CHANNEL)[0].blocks)).toContain(
        `${verdict} <@${decided[0].actor_user_id}>`,
      );
      expect(world.slack.messagesTo(NEWBIE)[0].text).toContain(approved ? "approved" : "denied");
    });
  });
});
