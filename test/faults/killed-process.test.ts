import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRosterApp, type RosterApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import type { Database } from "../../src/db/database";
import { createLogger } from "../../src/logger";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId, openAnother, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { actionButtons, SIGNING_SECRET, type SlackWorld } from "../support/slack-app";
import { type PressTarget, SLACK_ACK_MS, sleep, timedPress, watchProcess } from "./fault-support";
import { TcpProxy } from "./tcp-proxy";

/**
 * A second copy of the bot on its own database connection, which the test can kill: at once it
 * takes no more requests, makes no more Slack calls (its way to Slack is cut, so a call already
 * on the wire reaches Slack and the rest never do) and writes nothing more to the database.
 * Its code may still run on in this test process, as a killed process's would not, but nothing it
 * does reaches anyone.
 */
async function killableCopy(world: SlackWorld): Promise<PressTarget & { kill(): Promise<void> }> {
  const db: Database = await openAnother(world.db);
  const standIn = new URL(world.slack.apiUrl);
  const toSlack = new TcpProxy({ host: standIn.hostname, port: Number(standIn.port) });
  const proxyPort = await toSlack.start();
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `http://127.0.0.1:${proxyPort}/api/`,
    PORT: "0",
    LOG_LEVEL: "silent",
  });
  const roster: RosterApp = createRosterApp({
    config,
    db,
    logger: createLogger("silent"),
    clock: world.clock,
    slackRetries: 0,
  });
  const { port } = await roster.start();
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    workspaceId: world.workspaceId,
    slack: world.slack,
    async kill() {
      await toSlack.cut();
      await roster.app.stop();
      await db.close();
    },
  };
}

describe.each(testDatabases())("a copy of the bot killed in the middle of an approval, on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let watch: ReturnType<typeof watchProcess>;
  let OWNER: string, ADMIN: string, NEWBIE: string, CHANNEL: string;

  beforeEach(async () => {
    world = testWorld();
    watch = watchProcess();
    [OWNER, ADMIN, NEWBIE] = ["owner", "admin", "newbie"].map((l) => world.person(newUserId(l)));
    CHANNEL = `C${newUserId("plat").slice(1)}`;
    world.slack.addChannel({ id: CHANNEL, name: "platform", members: ["UROSTERBOT", OWNER, ADMIN] });
    await world.command(OWNER, `create Platform policy=approval channel=<#${CHANNEL}|platform>`);
    await world.roster.services.members.add(
      { workspaceId: world.workspaceId, userId: OWNER },
      "Platform",
      [ADMIN],
      "admin",
    );
    await world.command(NEWBIE, "join Platform");
  });

  afterEach(() => {
    watch.stop();
  });

  const card = () =>
    world.slack.messagesTo(CHANNEL).find((m: StandInMessage) => m.text?.includes("asks to join"));
  const status = async () =>
    (
      (await world.db.dataSource.query("SELECT status FROM approval_requests WHERE workspace_id = ?", [
        world.workspaceId,
      ])) as { status: string }[]
    ).map((r) => r.status);
  const privately = async (responseUrl: string) => {
    await expect.poll(() => world.slack.responses.some((r) => r.url === responseUrl)).toBe(true);
    return (world.slack.responses.find((r) => r.url === responseUrl)?.body as { text: string }).text;
  };

  it("killed while Slack holds its card update: one decision, the requester told once, the card updated once", async () => {
    const posted = card();
    if (!posted) throw new Error("no request card in the channel");
    const onCard = { ts: posted.ts, channel: CHANNEL };
    const [approve, deny] = actionButtons(posted.blocks);
    const doomed = await killableCopy(world);

    // The admin's Approve reaches the copy that is about to die; Slack holds its card update.
    world.slack.failNext("chat.update", { hangMs: 4_000 });
    const press = await timedPress(doomed, ADMIN, approve, onCard);
    expect(press.status).toBe(200);
    expect(press.ackMs).toBeLessThan(SLACK_ACK_MS);
    await expect.poll(status).toEqual(["approved"]);
    // The requester is told while Slack still holds the card update; then the copy dies.
    await expect.poll(() => world.slack.messagesTo(NEWBIE).length, { timeout: 2_000 }).toBe(1);
    expect(world.slack.callsTo("chat.update")).toHaveLength(0);
    await doomed.kill();

    // Nobody saw the card change, so the owner presses Approve too, and the admin Deny: both on the
    // copy still running. Each is told privately; nothing is decided again.
    const second = await timedPress(world, OWNER, approve, onCard);
    expect(second.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await privately(second.responseUrl)).toBe(
      `This request was already approved by <@${ADMIN}>; nothing changed.`,
    );
    const third = await timedPress(world, ADMIN, deny, onCard);
    expect(await privately(third.responseUrl)).toBe(
      "This request was already approved by you; nothing changed.",
    );

    // The card update that was on the wire when the copy died lands; nothing else does.
    await expect.poll(() => world.slack.callsTo("chat.update").length, { timeout: 5_000 }).toBe(1);
    await sleep(500);
    expect(world.slack.callsTo("chat.update")).toHaveLength(1);
    expect(JSON.stringify(card()?.blocks)).toContain(`Approved by <@${ADMIN}>`);
    expect(actionButtons(card()?.blocks)).toEqual([]);
    expect(world.slack.messagesTo(NEWBIE).map((m) => m.text)).toEqual([
      `:white_check_mark: <@${ADMIN}> approved your request to join *Platform*; you're a member now.`,
    ]);
    expect(await status()).toEqual(["approved"]);
    const members = await world.roster.services.members.list(
      { workspaceId: world.workspaceId, userId: OWNER },
      "Platform",
    );
    expect(members.members.filter((m) => m.userId === NEWBIE)).toHaveLength(1);
    const decisions = (await world.db.dataSource.query(
      "SELECT action FROM audit_events WHERE workspace_id = ? AND action LIKE 'request.%'",
      [world.workspaceId],
    )) as { action: string }[];
    expect(decisions.map((d) => d.action).sort()).toEqual(["request.approved", "request.created"]);
    expect(watch.problems).toEqual([]);
  });
});
