import { ErrorCode, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newTriggerId } from "../../src/stand-in/slack-objects";
import { RESPONSE_URL_FAULT, SlackStandIn } from "../../src/stand-in/slack-stand-in";
import { TOKEN, clientFor, silent, slackError, startStandIn } from "./stand-in-fixture";

let slack: SlackStandIn;
let client: WebClient;
const webClient = (options: ConstructorParameters<typeof WebClient>[1] = {}) => clientFor(slack, options);

beforeEach(async () => {
  slack = await startStandIn();
  client = webClient();
});

afterEach(async () => {
  await slack.stop();
});

describe("Web API basics", () => {
  it("answers auth.test as the Roster bot and refuses calls without a token or to unknown methods", async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: "T0ROSTER", user_id: "UROSTERBOT", bot_id: "BROSTER" });
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);

    await expect(
      new WebClient(undefined, { slackApiUrl: slack.apiUrl, logger: silent }).auth.test(),
    ).rejects.toMatchObject(slackError("not_authed"));
    await expect(client.apiCall("teams.summon")).rejects.toMatchObject(slackError("unknown_method"));
  });

  it("records each call with JSON-encoded fields parsed back and without the token", async () => {
    const seen: string[] = [];
    const stop = slack.onCall((call) => seen.push(call.method));
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*hello*" } }];
    await client.chat.postMessage({ channel: "C0TEAM", text: "hello", blocks });
    stop();
    await client.auth.test();

    expect(seen).toEqual(["chat.postMessage"]);
    const [call] = slack.callsTo("chat.postMessage");
    expect(call.args).toEqual({ channel: "C0TEAM", text: "hello", blocks });
    expect(JSON.stringify(slack.calls)).not.toContain(TOKEN);
    slack.clear();
    expect(slack.calls).toEqual([]);
  });
});

describe("messages", () => {
  it("posts with increasing timestamps and updates a message in place", async () => {
    const first = await client.chat.postMessage({ channel: "C0TEAM", text: "Budget: 10" });
    const second = await client.chat.postMessage({ channel: "C0TEAM", text: "second", thread_ts: first.ts });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const newBlocks = [{ type: "section", text: { type: "plain_text", text: "Budget: 20" } }];
    const updated = await client.chat.update({
      channel: "C0TEAM",
      ts: first.ts as string,
      blocks: newBlocks,
    });
    expect(updated).toMatchObject({ ok: true, channel: "C0TEAM", ts: first.ts });

    expect(slack.messagesTo("C0TEAM")).toMatchObject([
      { ts: first.ts, text: "Budget: 10", blocks: newBlocks, edited: true },
      { ts: second.ts, text: "second", thread_ts: first.ts },
    ]);
    await expect(client.chat.update({ channel: "C0TEAM", ts: "1.000001", text: "x" })).rejects.toMatchObject(
      slackError("message_not_found"),
    );
    await client.chat.delete({ channel: "C0TEAM", ts: second.ts as string });
    expect(slack.messagesTo("C0TEAM")).toHaveLength(1);
  });

  it("delivers a message sent to a user ID into that user's DM", async () => {
    const posted = await client.chat.postMessage({ channel: "U0BOB", text: "You were added to Platform" });
    const opened = await client.conversations.open({ users: "U0BOB" });

    expect(posted.channel).toBe(opened.channel?.id);
    expect(opened.channel?.id).toMatch(/^D/);
    expect(slack.messagesTo("U0BOB")).toEqual([
      expect.objectContaining({ channel: "U0BOB", text: "You were added to Platform" }),
    ]);
    expect(slack.messagesTo(opened.channel?.id as string)).toHaveLength(1);
    await expect(client.chat.postMessage({ channel: "C0NOPE", text: "x" })).rejects.toMatchObject(
      slackError("channel_not_found"),
    );
  });

  it("shows an ephemeral message only to a member of the channel", async () => {
    const sent = await client.chat.postEphemeral({ channel: "C0TEAM", user: "U0ALICE", text: "Only you" });
    expect(sent.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.ephemerals).toEqual([expect.objectContaining({ user: "U0ALICE", text: "Only you" })]);
    await expect(
      client.chat.postEphemeral({ channel: "C0TEAM", user: "U0BOB", text: "x" }),
    ).rejects.toMatchObject(slackError("user_not_in_channel"));
  });
});

describe("views", () => {
  const modal = {
    type: "modal" as const,
    callback_id: "team_create",
    title: { type: "plain_text" as const, text: "New team" },
    blocks: [
      {
        type: "input",
        block_id: "name",
        label: { type: "plain_text", text: "Name" },
        element: { type: "plain_text_input", action_id: "value" },
      },
    ],
  };

  it("opens a modal once per trigger and updates it by view_id", async () => {
    const triggerId = slack.triggerId();
    const opened = await client.views.open({ trigger_id: triggerId, view: modal });
    const viewId = opened.view?.id as string;
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      callback_id: "team_create",
      state: { values: {} },
    });
    expect(slack.openViews.map((v) => v.id)).toEqual([viewId]);

    await expect(client.views.open({ trigger_id: triggerId, view: modal })).rejects.toMatchObject(
      slackError("exchanged_trigger_id"),
    );
    const updated = await client.views.update({
      view_id: viewId,
      view: { ...modal, title: { type: "plain_text", text: "Saved" } },
    });
    expect(updated.view).toMatchObject({ id: viewId, title: { text: "Saved" } });
    expect(slack.openViews[0]).toMatchObject({ title: { text: "Saved" } });
  });

  it("holds the app to Slack's 3-second trigger and its 24-character titles", async () => {
    await expect(
      client.views.open({ trigger_id: newTriggerId(Date.now() - 4000), view: modal }),
    ).rejects.toMatchObject(slackError("expired_trigger_id"));
    const longTitle = {
      ...modal,
      title: { type: "plain_text" as const, text: "A title that is far too long" },
    };
    await expect(client.views.open({ trigger_id: slack.triggerId(), view: longTitle })).rejects.toMatchObject(
      {
        data: {
          error: "invalid_arguments",
          response_metadata: {
            messages: ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"],
          },
        },
      },
    );
    expect(slack.openViews).toEqual([]);
  });

  it("keeps the latest published Home per user under one view ID", async () => {
    const home = (text: string) => ({
      type: "home" as const,
      blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    });
    const first = await client.views.publish({ user_id: "U0ALICE", view: home("v1") });
    const second = await client.views.publish({ user_id: "U0ALICE", view: home("v2") });

    expect(second.view?.id).toBe(first.view?.id);
    expect(slack.homeOf("U0ALICE")?.blocks).toEqual(home("v2").blocks);
    expect(slack.homeOf("U0BOB")).toBeUndefined();
  });
});

describe("files", () => {
  it("takes a file through filesUploadV2's external upload flow and shares it in the channel", async () => {
    const csv = "team,spent\nplatform,120\n";
    const result = await client.filesUploadV2({
      channel_id: "C0TEAM",
      file: Buffer.from(csv),
      filename: "usage.csv",
      title: "Usage",
      initial_comment: "Monthly usage",
    });

    expect(result.ok).toBe(true);
    const [file] = [...slack.files.values()];
    expect(file).toMatchObject({
      filename: "usage.csv",
      title: "Usage",
      length: csv.length,
      channelId: "C0TEAM",
      completed: true,
    });
    expect(file.bytes?.toString()).toBe(csv);
    expect(slack.messagesTo("C0TEAM")).toEqual([
      expect.objectContaining({ text: "Monthly usage", files: [file.id] }),
    ]);
    expect(slack.callsTo("files.getUploadURLExternal")[0].result).toMatchObject({
      upload_url: `${slack.baseUrl}upload/${file.id}`,
    });
  });
});

describe("faults", () => {
  it("rate-limits with 429 and Retry-After, which WebClient waits out and retries", async () => {
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const retrying = webClient({
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
      rejectRateLimitedCalls: false,
    });

    const started = Date.now();
    const posted = await retrying.chat.postMessage({ channel: "C0TEAM", text: "after the limit" });

    expect(posted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(slack.callsTo("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
    expect(slack.messagesTo("C0TEAM")).toHaveLength(1);

    slack.failNext("chat.postMessage", { status: 429, retryAfter: 30 });
    await expect(
      webClient({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: "C0TEAM", text: "x" }),
    ).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 30,
    });
  });

  it("answers 500 as an HTTP error, then serves the next call normally", async () => {
    slack.failNext("users.info", { status: 500 });
    await expect(client.users.info({ user: "U0ALICE" })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 500,
    });
    expect((await client.users.info({ user: "U0ALICE" })).user?.id).toBe("U0ALICE");
  });

  it("answers an injected error with HTTP 200 and ok:false, as many times as asked", async () => {
    slack.failNext("chat.postMessage", { error: "ekm_access_denied" }, 2);
    for (let i = 0; i < 2; i += 1) {
      await expect(client.chat.postMessage({ channel: "C0TEAM", text: "x" })).rejects.toMatchObject(
        slackError("ekm_access_denied"),
      );
    }
    expect((await client.chat.postMessage({ channel: "C0TEAM", text: "x" })).ok).toBe(true);
  });

  it("hangs a call past the client's timeout", async () => {
    slack.failNext("auth.test", { hangMs: 2000 });
    await expect(webClient({ timeout: 100 }).auth.test()).rejects.toMatchObject({
      code: ErrorCode.RequestError,
    });
  });
});

describe("response_url", () => {
  const post = (url: string, body: object) =>
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("records bodies in order and applies replace_original and in_channel like Slack", async () => {
    const posted = await client.chat.postMessage({ channel: "C0TEAM", text: "Join request from Bob" });
    const url = slack.responseUrl({ channel: "C0TEAM", messageTs: posted.ts, userId: "U0ALICE" });
    const heard: unknown[] = [];
    slack.onResponse((response) => heard.push(response.body));

    const replaced = await post(url, { replace_original: true, text: "Approved by Alice" });
    await post(url, { response_type: "in_channel", text: "Bob joined Platform" });
    await post(url, { text: "Only Alice sees this" });

    expect(replaced.status).toBe(200);
    expect(await replaced.text()).toBe("ok");
    expect(slack.responses.map((r) => r.url)).toEqual([url, url, url]);
    expect(heard).toEqual([
      { replace_original: true, text: "Approved by Alice" },
      { response_type: "in_channel", text: "Bob joined Platform" },
      { text: "Only Alice sees this" },
    ]);
    expect(slack.messagesTo("C0TEAM").map((m) => m.text)).toEqual([
      "Approved by Alice",
      "Bob joined Platform",
    ]);
    expect(slack.ephemerals).toEqual([
      expect.objectContaining({ user: "U0ALICE", text: "Only Alice sees this" }),
    ]);
  });

  it("refuses a sixth use, an unknown URL, and a fault injected for response_urls", async () => {
    const url = slack.responseUrl();
    for (let i = 0; i < 5; i += 1) expect((await post(url, { text: `reply ${i}` })).status).toBe(200);
    const sixth = await post(url, { text: "one too many" });
    expect([sixth.status, await sixth.text()]).toEqual([404, "used_url"]);

    expect((await post(`${slack.baseUrl}response/999`, { text: "x" })).status).toBe(404);
    slack.failNext(RESPONSE_URL_FAULT, { status: 500 });
    expect((await post(slack.responseUrl(), { text: "x" })).status).toBe(500);
  });
});
