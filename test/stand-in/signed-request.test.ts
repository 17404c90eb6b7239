import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, verifySlackRequest, type Logger } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appHomeOpened,
  blockActions,
  eventCallback,
  postToSlackApp,
  signSlackBody,
  slashCommand,
  teamJoin,
  viewSubmission,
} from "../../src/stand-in/signed-request";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";

const SECRET = "stand-in-signing-secret";

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** Runs Bolt's own verifier on headers as Node would hand them to it (lower-case names). */
function boltVerifies(rawBody: string, headers: Record<string, string>, nowMilliseconds?: number): void {
  verifySlackRequest({
    signingSecret: SECRET,
    body: rawBody,
    headers: {
      "x-slack-signature": headers["X-Slack-Signature"],
      "x-slack-request-timestamp": Number(headers["X-Slack-Request-Timestamp"]),
    },
    nowMilliseconds,
  });
}

describe("signSlackBody", () => {
  const body = "token=x&team_id=T0ROSTER&command=%2Fteam&text=create+platform";

  it("produces a signature Bolt accepts", () => {
    const headers = signSlackBody(SECRET, body);
    expect(headers["X-Slack-Signature"]).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() => boltVerifies(body, headers)).not.toThrow();
  });

  it("fails Bolt's check when the body was tampered with or the timestamp is stale", () => {
    const headers = signSlackBody(SECRET, body);
    expect(() => boltVerifies(body.replace("platform", "payroll"), headers)).toThrow(/signature mismatch/);

    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect(() => boltVerifies(body, signSlackBody(SECRET, body, tenMinutesAgo))).toThrow(/stale/);
    expect(() =>
      boltVerifies(body, signSlackBody(SECRET, body, tenMinutesAgo), tenMinutesAgo * 1000),
    ).not.toThrow();
  });
});

describe("postToSlackApp against a real Bolt app", () => {
  let slack: SlackStandIn;
  let app: App;
  let url: string;
  const seen: Record<string, unknown> = {};

  beforeEach(async () => {
    slack = new SlackStandIn();
    await slack.start();
    slack.addUser({ id: "U0ALICE", name: "alice", email: "alice@example.com" });
    app = new App({
      token: "xoxb-stand-in-test",
      signingSecret: SECRET,
      logger: silent,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command("/team", async ({ ack, command, respond, context }) => {
      await ack();
      seen.command = { text: command.text, user: command.user_id, retryNum: context.retryNum };
      await respond({ text: `You asked for: ${command.text}` });
    });
    app.action("approve", async ({ ack, body, action }) => {
      await ack();
      seen.action = { type: body.type, value: "value" in action ? action.value : undefined };
    });
    app.view("team_create", async ({ ack, view }) => {
      const name = view.state.values.name?.value?.value;
      await ack({ response_action: "errors", errors: { name: `"${String(name)}" is taken` } });
    });
    app.event("app_home_opened", async ({ event, client }) => {
      await client.views.publish({ user_id: event.user, view: { type: "home", blocks: [] } });
    });
    app.event("team_join", async ({ event }) => {
      seen.teamJoin = { id: event.user.id, email: event.user.profile.email };
    });
    const server = (await app.start(0)) as Server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await slack.stop();
  });

  it("delivers a slash command whose respond() reaches the stand-in's response_url", async () => {
    const responseUrl = slack.responseUrl();
    const form = slashCommand({
      workspaceId: slack.workspaceId,
      userId: "U0ALICE",
      text: "create platform",
      responseUrl,
    });

    const result = await postToSlackApp(url, SECRET, { form }, { retryNum: 1 });

    expect(result.status).toBe(200);
    expect(result.ms).toBeGreaterThan(0);
    expect(seen.command).toEqual({ text: "create platform", user: "U0ALICE", retryNum: 1 });
    // Bolt answers at ack(); respond() happens after the HTTP answer, as with real Slack.
    await expect
      .poll(() => slack.responses)
      .toEqual([
        expect.objectContaining({ url: responseUrl, body: { text: "You asked for: create platform" } }),
      ]);
  });

  it("delivers a button press and a modal submission, returning the modal's errors", async () => {
    const message = {
      ts: "1700000000.000100",
      channel: "C0TEAM",
      text: "Join request",
      blocks: [
        {
          type: "actions",
          block_id: "decide",
          elements: [
            {
              type: "button",
              action_id: "approve",
              text: { type: "plain_text", text: "Approve" },
              value: "req-1",
            },
          ],
        },
      ],
    };
    const press = blockActions({
      workspaceId: slack.workspaceId,
      userId: "U0ALICE",
      actionId: "approve",
      value: "req-1",
      message,
      responseUrl: slack.responseUrl(),
    });
    expect((await postToSlackApp(url, SECRET, { payload: press })).status).toBe(200);
    expect(seen.action).toEqual({ type: "block_actions", value: "req-1" });

    const view = {
      id: "V0MODAL",
      callback_id: "team_create",
      private_metadata: "",
      blocks: [],
      state: { values: { name: { value: { type: "plain_text_input", value: "platform" } } } },
    };
    const submitted = await postToSlackApp(url, SECRET, {
      payload: viewSubmission({ workspaceId: slack.workspaceId, userId: "U0ALICE", view }),
    });
    expect(submitted.json).toEqual({ response_action: "errors", errors: { name: '"platform" is taken' } });
  });

  it("delivers Events API envelopes: app_home_opened publishes a Home, team_join carries the email", async () => {
    const home = eventCallback({ workspaceId: slack.workspaceId, event: appHomeOpened("U0ALICE") });
    expect((await postToSlackApp(url, SECRET, { json: home })).status).toBe(200);
    await expect.poll(() => slack.homeOf("U0ALICE")).toBeDefined();

    const joined = eventCallback({
      workspaceId: slack.workspaceId,
      event: teamJoin({ id: "U0NEW", name: "new", email: "new@example.com" }),
    });
    expect((await postToSlackApp(url, SECRET, { json: joined })).status).toBe(200);
    await expect.poll(() => seen.teamJoin).toEqual({ id: "U0NEW", email: "new@example.com" });
  });

  it("is refused by Bolt when the signature is forged", async () => {
    const form = slashCommand({
      workspaceId: slack.workspaceId,
      userId: "U0ALICE",
      text: "delete everything",
      responseUrl: slack.responseUrl(),
    });
    delete seen.command;

    const result = await postToSlackApp(url, SECRET, { form }, { badSignature: true });

    expect(result.status).toBe(401);
    expect(seen.command).toBeUndefined();
  });
});
