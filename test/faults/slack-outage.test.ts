import { afterEach, describe, expect, it } from "vitest";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId, testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";
import { actionButtons, type SlackWorld, slackWorld } from "../support/slack-app";
import { SLACK_ACK_MS, sleep, timedCommand, timedPress, watchProcess } from "./fault-support";

const SLACK_DIDNT_ANSWER = ":warning: Slack didn't answer in time; please try again in a moment.";

/** The Slack Web API failing under the app: 429s, 5xx and hangs, on every listener's path. */
describe.each(testDatabases())("Slack answering 429, 500 or not at all, on $name", (kind) => {
  const db = useDatabase(kind);
  let world: SlackWorld | undefined;
  let watch: ReturnType<typeof watchProcess> | undefined;
  let OWNER: string, ADMIN: string, BOB: string, NEWBIE: string;

  /** The app with WebClient retrying as in production (10) or not at all, and a team to work on. */
  const start = async (slackRetries: number, policy = "open") => {
    const started = await slackWorld(db(), { slackRetries });
    world = started;
    watch = watchProcess();
    [OWNER, ADMIN, BOB, NEWBIE] = ["owner", "admin", "bob", "newbie"].map((l) =>
      started.person(newUserId(l)),
    );
    expect(await (await timedCommand(started, OWNER, `create Platform policy=${policy}`)).reply()).toBe(
      "Created Platform; you're its owner.",
    );
    await started.roster.services.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    return started;
  };
  const as = (userId: string) => ({ workspaceId: world?.workspaceId ?? "", userId });

  afterEach(async () => {
    watch?.stop();
    // Nothing crashed: no unhandled rejection or uncaught exception while Slack failed.
    expect(watch?.problems).toEqual([]);
    await world?.close();
    world = undefined;
  });

  it("acks every command within 3 seconds while Slack hangs; the reply follows once, or says to try again", async () => {
    const w = await start(0);
    // The form can't open: Slack held views.open past the trigger's 3 seconds.
    w.slack.failNext("views.open", { hangMs: 3_500 });
    const form = await timedCommand(w, OWNER, "create");
    expect(form.status).toBe(200);
    expect(form.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await form.reply()).toBe(SLACK_DIDNT_ANSWER);

    // Bob isn't known yet: whether he is an admin, and the members' names, wait on users.info.
    w.slack.failNext("users.info", { hangMs: 3_000 }, 3);
    const slow = timedCommand(w, BOB, "members Platform");
    await sleep(200);
    // Meanwhile the owner (already known) is answered at once, in the ack: Bob's wait on Slack
    // holds up no one else's request, not even on SQLite where requests take turns.
    const other = await timedCommand(w, OWNER, "info Platform");
    expect(other.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(other.inAck).toBe(true);
    expect(await other.reply()).toMatch(/^Platform: owner <@/);

    const members = await slow;
    expect(members.status).toBe(200);
    expect(members.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(members.inAck).toBe(false);
    expect(await members.reply()).toBe("Platform: 2 members, page 1 of 1.");
    await sleep(200);
    expect(w.slack.responses).toHaveLength(2);
  });

  it("sends a rate-limited invitation DM once, after Retry-After, and acks in time", async () => {
    const w = await start(10);
    w.slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const invite = await timedCommand(w, OWNER, `invite Platform <@${BOB}>`);
    expect(invite.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await invite.reply()).toBe(
      `Invited <@${BOB}> to Platform as member: a DM with Accept and Decline is on its way.`,
    );
    expect(w.slack.messagesTo(BOB)).toHaveLength(1);
    expect(w.slack.callsTo("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
  });

  it.each([
    ["Slack posted it but its answer was lost", { status: 500, afterRunning: true }, 1],
    ["Slack failed before posting", { status: 500 }, 0],
  ])("never sends an invitation DM twice when %s (500): the inviter is told", async (_, fault, sent) => {
    const w = await start(10);
    w.slack.failNext("chat.postMessage", fault);
    const invite = await timedCommand(w, OWNER, `invite Platform <@${BOB}>`);
    expect(invite.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await invite.reply()).toContain(
      `Slack wouldn't deliver a DM to <@${BOB}>; the invitation stands, and they can answer it from Roster's App Home.`,
    );
    await sleep(1_500); // WebClient's first retry would have come after one second
    expect(w.slack.messagesTo(BOB)).toHaveLength(sent);
    expect(w.slack.callsTo("chat.postMessage")).toHaveLength(1);
    const { invitations } = await w.roster.services.invitations.pending(as(OWNER), "Platform");
    expect(invitations.map((i) => i.inviteeUserId)).toEqual([BOB]);
  });

  it("decides an approval once when its card can't be updated (500), and a second press changes nothing", async () => {
    const w = await start(10, "approval");
    const channel = `C${newUserId("plat").slice(1)}`;
    w.slack.addChannel({ id: channel, name: "platform", members: ["UROSTERBOT", OWNER, ADMIN] });
    await timedCommand(w, OWNER, `set Platform channel=<#${channel}|platform>`);
    await timedCommand(w, NEWBIE, "join Platform");
    const [card] = w.slack
      .messagesTo(channel)
      .filter((m: StandInMessage) => m.text?.includes("asks to join"));
    const [approve] = actionButtons(card.blocks);
    const onCard = { ts: card.ts, channel };

    w.slack.failNext("chat.update", { status: 500 });
    const press = await timedPress(w, ADMIN, approve, onCard);
    expect(press.status).toBe(200);
    expect(press.ackMs).toBeLessThan(SLACK_ACK_MS);
    await expect.poll(() => w.slack.messagesTo(NEWBIE).length).toBe(1);
    expect(w.slack.messagesTo(NEWBIE)[0].text).toContain("approved your request to join *Platform*");

    // The card still shows its buttons (its update failed): the next press is told, privately.
    const again = await timedPress(w, OWNER, approve, onCard);
    expect(again.ackMs).toBeLessThan(SLACK_ACK_MS);
    await expect.poll(() => w.slack.responses.filter((r) => r.url === again.responseUrl)).toHaveLength(1);
    expect(w.slack.responses.find((r) => r.url === again.responseUrl)?.body).toMatchObject({
      text: `This request was already approved by <@${ADMIN}>; nothing changed.`,
      response_type: "ephemeral",
    });
    await sleep(1_500);
    expect(w.slack.messagesTo(NEWBIE)).toHaveLength(1);
    const members = await w.roster.services.members.list(as(OWNER), "Platform");
    expect(members.members.filter((m) => m.userId === NEWBIE)).toHaveLength(1);
    const decided = (await w.db.dataSource.query(
      "SELECT COUNT(*) AS n FROM audit_events WHERE workspace_id = ? AND action = 'request.approved'",
      [w.workspaceId],
    )) as { n: number | string }[];
    expect(Number(decided[0].n)).toBe(1);
  });
});
