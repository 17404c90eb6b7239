import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { appHomeOpened, eventCallback, viewSubmission } from "../../src/stand-in/slack-payloads";
import { createTeamModal } from "../../src/slack/views/team-create.modal";
import { testDatabases } from "../support/databases";
import { SIGNING_SECRET, type SlackWorld, slackWorld } from "../support/slack-app";
import { api } from "../http/api-support";

/*
 * SPEC section 9: API keys and tokens never appear in logs or replies after creation. A busy
 * day, logged at the most detailed level (trace), with Slack failing now and then and the API
 * called well and badly: no log line, no message, no App Home and no reply after a key's creation
 * holds the bot token, the signing secret or any API key, made or merely presented.
 */

const BOT_TOKEN = "xoxb-test"; // what slackWorld configures
const KEY = /rk_[A-Za-z0-9]{32}/g;
const ALICE = "UALICE1";
const BOB = "UBOB1";
const CAROL = "UCAROL1";

describe.each(testDatabases())("secrets in logs on $name", (kind) => {
  let db: Database;
  let world: SlackWorld;
  /** Every key made, and every key-like string presented to the API. */
  const secrets: string[] = [];
  /** What Slack showed after each key was made: the ack replies of every later command. */
  const laterReplies: string[] = [];

  beforeAll(async () => {
    db = await kind.open();
    const level = process.env.TEST_LOG_LEVEL;
    process.env.TEST_LOG_LEVEL = "trace";
    try {
      world = await slackWorld(db);
    } finally {
      if (level === undefined) delete process.env.TEST_LOG_LEVEL;
      else process.env.TEST_LOG_LEVEL = level;
    }
    for (const id of [ALICE, BOB]) world.person(id);
    world.person(CAROL, { email: "carol@example.com" });
    await busyDay();
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  const say = async (userId: string, text: string) => {
    const answer = await world.command(userId, text);
    expect(answer.status, text).toBe(200);
    return answer;
  };

  async function busyDay(): Promise<void> {
    await say(ALICE, "create Platform");
    await say(ALICE, `add Platform <@${BOB}> <@${CAROL}>`);
    for (const name of ["ci", "batch", "eval"]) {
      const made = JSON.stringify((await say(ALICE, `key create Platform ${name}`)).json);
      secrets.push(...(made.match(KEY) ?? []));
    }
    expect(secrets).toHaveLength(3);
    const later = async (userId: string, text: string) =>
      laterReplies.push(JSON.stringify((await say(userId, text)).json ?? {}));
    await later(ALICE, "key list Platform");
    await later(ALICE, "activity Platform");
    await later(ALICE, `limit Platform <@${BOB}> total=1000`);
    await later(ALICE, "info Platform");
    await later(BOB, "usage Platform");
    await later(ALICE, "key revoke Platform batch");

    // Slack failing: an error, a 500, rate limits (each logged, with the failed call's details).
    world.slack.failNext("views.open", { error: "internal_error" });
    await say(ALICE, "create");
    world.slack.failNext("chat.postMessage", { status: 500 });
    await say(ALICE, "invite Platform <@UDAVE1>");
    world.slack.failNext("users.lookupByEmail", { status: 500 });
    world.slack.failNext("views.publish", { status: 429, retryAfter: 1 });
    await postToSlackApp(world.url, SIGNING_SECRET, {
      json: eventCallback({ workspaceId: world.workspaceId, event: appHomeOpened(ALICE) }),
    });

    // A form, and requests that aren't Slack's.
    await postToSlackApp(world.url, SIGNING_SECRET, {
      payload: viewSubmission({
        workspaceId: world.workspaceId,
        userId: ALICE,
        view: {
          ...createTeamModal(),
          id: "V0LOGS1",
          callback_id: "team_create_modal",
          private_metadata: "",
          state: { values: { name: { value: { type: "plain_text_input", value: "Logged" } } } },
        },
      }),
    });
    await postToSlackApp(world.url, "not-the-secret", { json: { type: "event_callback" } });

    // The API, well and badly: every key, a revoked one, made-up ones, bodies good and bad.
    const [ci, batch, evalKey] = secrets;
    const made = ["rk_" + "Z".repeat(32), "rk_short", "not-even-a-key"];
    secrets.push(...made);
    const events = (n: number) => ({
      events: Array.from({ length: n }, (_, i) => ({
        transactionId: `logs-${n}-${i}`,
        user: i % 2 ? BOB : "carol@example.com",
        tokens: 400,
        resource: "gpt-4o",
      })),
    });
    for (const key of [ci, evalKey]) {
      await api(world, "POST", "/api/v1/usage", { key, body: events(3) }); // crosses Bob's limit: notices
      await api(world, "POST", "/api/v1/usage/check", { key, body: { user: BOB, tokens: 10 } });
      await api(world, "POST", "/api/v1/access/check", { key, body: { user: BOB, permission: "team:view" } });
      await api(world, "GET", "/api/v1/usage?by=day", { key });
      await api(world, "POST", "/api/v1/usage", { key, raw: "{not json" });
      await api(world, "POST", "/api/v1/usage", { key, body: { events: [{ tokens: -1 }] } });
    }
    for (const key of [batch, ...made]) await api(world, "GET", "/api/v1/usage", { key });
    await api(world, "GET", "/api/v1/usage", {
      headers: { authorization: `Basic ${Buffer.from(`x:${ci}`).toString("base64")}` },
    });
    world.slack.failNext("users.lookupByEmail", { status: 500 });
    await api(world, "POST", "/api/v1/usage", {
      key: ci,
      body: { events: [{ transactionId: "x", user: "new@example.com", tokens: 1, resource: "m" }] },
    });
    await world.roster.deps.home.flush();
    await new Promise((resolve) => setTimeout(resolve, 300)); // limit notices go out after the answer
  }

  it("logged the day in detail, errors included (so the search below means something)", () => {
    const levels = world.logs.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(world.logs.length).toBeGreaterThan(100);
    expect(levels.some((l) => l <= 20)).toBe(true); // debug and trace lines
    expect(levels.some((l) => l >= 50)).toBe(true); // failures
    expect(world.logs.join("\n")).toContain("/api/v1/usage");
  });

  it("never logs the bot token, the signing secret or an API key", () => {
    const all = world.logs.join("\n");
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
    for (const secret of secrets) expect(all, secret.slice(0, 8)).not.toContain(secret);
    expect(all.match(KEY) ?? []).toEqual([]);
  });

  it("never shows a key again after the reply that made it: not in replies, messages or App Homes", () => {
    const shown = JSON.stringify([laterReplies, world.slack.calls, world.slack.responses]);
    expect(shown).toContain("ci"); // the key list names the keys
    for (const secret of secrets) expect(shown, secret.slice(0, 8)).not.toContain(secret);
    expect(shown).not.toContain(BOT_TOKEN);
  });
});
