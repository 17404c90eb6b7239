import { createHmac } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { INVITATION_ACCEPT } from "../../src/slack/action-ids";
import { createTeamModal } from "../../src/slack/views/team-create.modal";
import { postToSlackApp, type SlackAppBody } from "../../src/stand-in/signed-request";
import {
  appHomeOpened,
  blockActions,
  eventCallback,
  slashCommand,
  viewSubmission,
} from "../../src/stand-in/slack-payloads";
import { testDatabases } from "../support/databases";
import { SIGNING_SECRET, type SlackWorld, slackWorld } from "../support/slack-app";
import { changedTables, workspaceRows } from "./workspace-rows";

/*
 * SPEC section 9: every request from Slack has its signature and timestamp checked; a bad one
 * gets 401 and touches nothing. test/slack/security.test.ts covers a slash command signed wrongly
 * or too late; here every kind of request Slack sends (command, button, form, event) is forged in
 * every way, and "touches nothing" means no row of the workspace and no call to Slack.
 */

const ALICE = "UALICE1"; // owns Platform
const DAVE = "UDAVE1"; // invited to Platform

const encode = (body: SlackAppBody): { raw: string; type: string } =>
  "form" in body
    ? { raw: new URLSearchParams(body.form).toString(), type: "application/x-www-form-urlencoded" }
    : "payload" in body
      ? {
          raw: new URLSearchParams({ payload: JSON.stringify(body.payload) }).toString(),
          type: "application/x-www-form-urlencoded",
        }
      : { raw: JSON.stringify(body.json), type: "application/json" };

const sign = (secret: string, stamp: string, raw: string) =>
  `v0=${createHmac("sha256", secret).update(`v0:${stamp}:${raw}`).digest("hex")}`;
const now = () => String(Math.floor(Date.now() / 1000));

/** Headers that a forger (or a replay) would send with `raw`. */
const FORGERIES: Record<string, (raw: string) => Record<string, string>> = {
  "no signature": () => ({ "X-Slack-Request-Timestamp": now() }),
  "no timestamp": (raw) => ({ "X-Slack-Signature": sign(SIGNING_SECRET, now(), raw) }),
  "no headers at all": () => ({}),
  "an empty signature": () => ({ "X-Slack-Signature": "v0=", "X-Slack-Request-Timestamp": now() }),
  "signed with another secret": (raw) => ({
    "X-Slack-Signature": sign("someone-elses-secret", now(), raw),
    "X-Slack-Request-Timestamp": now(),
  }),
  "the signature of another body": (raw) => ({
    "X-Slack-Signature": sign(SIGNING_SECRET, now(), `${raw}&x=1`),
    "X-Slack-Request-Timestamp": now(),
  }),
  "a signature of another scheme (v1)": (raw) => ({
    "X-Slack-Signature": sign(SIGNING_SECRET, now(), raw).replace("v0=", "v1="),
    "X-Slack-Request-Timestamp": now(),
  }),
  "signed for another timestamp": (raw) => ({
    "X-Slack-Signature": sign(SIGNING_SECRET, String(Number(now()) - 30), raw),
    "X-Slack-Request-Timestamp": now(),
  }),
  "a replay: signed 5 min 10 s ago": (raw) => {
    const stamp = String(Number(now()) - 310);
    return { "X-Slack-Signature": sign(SIGNING_SECRET, stamp, raw), "X-Slack-Request-Timestamp": stamp };
  },
  "a replay: signed an hour ago": (raw) => {
    const stamp = String(Number(now()) - 3600);
    return { "X-Slack-Signature": sign(SIGNING_SECRET, stamp, raw), "X-Slack-Request-Timestamp": stamp };
  },
  "dated 5 min 10 s in the future": (raw) => {
    const stamp = String(Number(now()) + 310);
    return { "X-Slack-Signature": sign(SIGNING_SECRET, stamp, raw), "X-Slack-Request-Timestamp": stamp };
  },
  "dated in the year 33658": (raw) => {
    const stamp = "1000000000000";
    return { "X-Slack-Signature": sign(SIGNING_SECRET, stamp, raw), "X-Slack-Request-Timestamp": stamp };
  },
  "a timestamp that isn't a number": (raw) => ({
    "X-Slack-Signature": sign(SIGNING_SECRET, "soon", raw),
    "X-Slack-Request-Timestamp": "soon",
  }),
};

describe.each(testDatabases())("forged and replayed requests from Slack on $name", (kind) => {
  let db: Database;
  let world: SlackWorld;
  let invitationId = 0;

  beforeAll(async () => {
    db = await kind.open();
    world = await slackWorld(db);
    for (const id of [ALICE, DAVE]) world.person(id);
    await world.roster.services.teams.create(
      { workspaceId: world.workspaceId, userId: ALICE },
      { name: "Platform" },
    );
    expect((await world.command(ALICE, `invite Platform <@${DAVE}>`)).json?.text).toMatch(/Invited/);
    const [row] = (await db.dataSource.query("SELECT id FROM invitations WHERE workspace_id = ?", [
      world.workspaceId,
    ])) as { id: number }[];
    invitationId = row.id;
    await world.roster.deps.home.flush();
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  /** One request of each kind Slack sends, each of which changes something when genuine. */
  const REQUESTS: Record<string, () => SlackAppBody> = {
    "a slash command": () => ({
      form: slashCommand({
        workspaceId: world.workspaceId,
        userId: ALICE,
        text: "create Forged",
        responseUrl: world.slack.responseUrl(),
      }),
    }),
    "a button": () => ({
      payload: blockActions({
        workspaceId: world.workspaceId,
        userId: DAVE,
        actionId: INVITATION_ACCEPT,
        value: String(invitationId),
        responseUrl: world.slack.responseUrl(),
      }),
    }),
    "a form": () => ({
      payload: viewSubmission({
        workspaceId: world.workspaceId,
        userId: ALICE,
        view: {
          ...createTeamModal(),
          id: "V0FORGED1",
          callback_id: "team_create_modal",
          private_metadata: "",
          state: { values: { name: { value: { type: "plain_text_input", value: "Forged Form" } } } },
        },
      }),
    }),
    "an event": () => ({
      json: eventCallback({ workspaceId: world.workspaceId, event: appHomeOpened(ALICE) }),
    }),
  };

  async function send(raw: string, type: string, headers: Record<string, string>) {
    const response = await fetch(world.url, {
      method: "POST",
      headers: { "Content-Type": type, ...headers },
      body: raw,
    });
    return { status: response.status, text: await response.text() };
  }

  it.each(Object.keys(FORGERIES))(
    "refuses a request with %s: 401 for every kind, and nothing touched",
    async (forgery) => {
      const before = await workspaceRows(db, world.workspaceId);
      const [calls, responses] = [world.slack.calls.length, world.slack.responses.length];
      for (const [what, request] of Object.entries(REQUESTS)) {
        const { raw, type } = encode(request());
        const answer = await send(raw, type, FORGERIES[forgery](raw));
        expect(answer.status, what).toBe(401);
        expect(answer.text, what).not.toMatch(/Error|at .*\.[jt]s/);
      }
      // Anything the app had started would have reached Slack by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await world.roster.deps.home.flush();
      expect(world.slack.calls.slice(calls).map((c) => c.method)).toEqual([]);
      expect(world.slack.responses.length).toBe(responses);
      expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
    },
  );

  it("ignores what is smuggled into Slack's unsigned ssl_check", async () => {
    const before = await workspaceRows(db, world.workspaceId);
    const calls = world.slack.calls.length;
    const smuggled = new URLSearchParams({
      ...slashCommand({
        workspaceId: world.workspaceId,
        userId: ALICE,
        text: "create Smuggled",
        responseUrl: world.slack.responseUrl(),
      }),
      ssl_check: "1",
    }).toString();
    const answer = await send(smuggled, "application/x-www-form-urlencoded", {});
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(world.slack.calls.length).toBe(calls);
    expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
  });

  it("refuses an unsigned body of 5 MB without reading it into a change", async () => {
    const before = await workspaceRows(db, world.workspaceId);
    // Its own connection: the app may hang up on a body it won't read.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(world.url, {
        method: "POST",
        agent: false,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Slack-Request-Timestamp": now(),
          "X-Slack-Signature": "v0=0",
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(`payload=${"x".repeat(5 * 1024 * 1024)}`);
    });
    expect([401, 413]).toContain(status);
    expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
  });

  // Last, since it changes things: the same requests, signed properly, are accepted and act.
  it("accepts each of those requests when Slack signed it, 4 minutes 50 seconds ago or just now", async () => {
    const teams = async () =>
      (await world.roster.services.teams.search({ workspaceId: world.workspaceId, userId: ALICE }, {})).total;
    const before = await teams();
    for (const [what, request] of Object.entries(REQUESTS)) {
      const timestampSeconds = what === "a slash command" ? Math.floor(Date.now() / 1000) - 290 : undefined;
      const answer = await postToSlackApp(world.url, SIGNING_SECRET, request(), { timestampSeconds });
      expect(answer.status, what).toBe(200);
    }
    await expect.poll(teams).toBe(before + 2); // Forged, Forged Form
    await expect
      .poll(() => world.slack.callsTo("views.publish").some((c) => c.args.user_id === ALICE))
      .toBe(true);
    const members = await world.roster.services.members.list(
      { workspaceId: world.workspaceId, userId: ALICE },
      "Platform",
    );
    expect(members.members.map((m) => m.userId)).toContain(DAVE);
  });
});
