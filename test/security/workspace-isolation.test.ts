import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import * as ACTION_IDS from "../../src/slack/action-ids";
import { SUBCOMMANDS } from "../../src/slack/commands/subcommands";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { appHomeOpened, blockActions, eventCallback, slashCommand } from "../../src/stand-in/slack-payloads";
import { newWorkspaceId, testDatabases } from "../support/databases";
import { SIGNING_SECRET, type SlackWorld, slackWorld } from "../support/slack-app";
import { changedTables, workspaceRows } from "./workspace-rows";

/*
 * SPEC section 9: every query is scoped to the workspace of the request. Workspace A has a team
 * "Secret" with everything a team can have; from workspace B, every subcommand and every button is
 * tried on it by the very person who owns it in A (the same user in two workspaces, as on
 * Enterprise Grid, and an org admin everywhere). Each answer must be exactly the answer about a
 * team that exists nowhere, nothing of A may show, and A's rows must not change. The probes are
 * keyed by the subcommand registry and the action ids, so a new command or button can't be
 * forgotten.
 */

const ALICE = "UALICE1"; // owns Secret in A; in ORG_ADMINS, so an org admin in every workspace
const BOB = "UBOB1"; // admin of Secret in A
const DAVE = "UDAVE1"; // asked to join Secret in A
const ERIN = "UERIN1"; // org admin in B (a workspace admin there, per the directory)

/** Everything of A's that is not echoed from the command itself has this in it. */
const MARKER = /zebra/i;

/**
 * How each subcommand is tried from B: templates where {team} is A's team (or, for comparison, a
 * team that exists nowhere), {role} A's custom role. `[]` only for a subcommand that reads nothing
 * of any workspace.
 */
const PROBES: Record<string, string[]> = {
  help: [],
  create: ["create Copycat parent={team}"],
  list: ["list", "list {team}", "list parent={team}", "list mine", "list zebra"],
  info: ["info {team}"],
  tree: ["tree {team}"],
  edit: ["edit {team}"],
  set: ["set {team} description=taken", "set Open parent={team}"],
  delete: ["delete {team}"],
  join: ["join {team}"],
  leave: ["leave {team}"],
  activity: ["activity {team} since=365d"],
  roles: ["roles"],
  "role-create": ["role-create {role} team:view"],
  "role-delete": ["role-delete {role}"],
  grant: ["grant {team} usage:view_all"],
  revoke: ["revoke {team} team:view"],
  share: ["share {team} model:zebra-model read"],
  unshare: ["unshare {team} model:zebra-model"],
  members: ["members {team}", "members {team} role=admin"],
  add: [`add {team} <@${ERIN}>`],
  move: [`move {team} Open <@${BOB}>`, `move Open {team} <@${ERIN}>`],
  role: [`role {team} <@${BOB}> member`],
  remove: [`remove {team} <@${BOB}>`],
  deactivate: [`deactivate {team} <@${BOB}>`],
  reactivate: [`reactivate {team} <@${BOB}>`],
  transfer: [`transfer {team} <@${BOB}>`],
  invite: [`invite {team} <@${ERIN}>`, "invite {team} new.person@example.com", "invite {team}"],
  invites: ["invites {team}"],
  limit: ["limit {team}", `limit {team} <@${BOB}>`, "limit {team} tx=5", "limit {team} total=10 budget"],
  request: ["request {team} total=5000"],
  sync: ["sync {team}", "sync {team} handle=zebra-handle"],
  usage: ["usage {team}", `usage {team} <@${BOB}>`, "usage {team} by=resource"],
  digest: ["digest {team}", "digest {team} post"],
  key: ["key list {team}", "key create {team} copy", "key revoke {team} zebra-key"],
};

/** The names a probe is run with: A's, and ones that exist in no workspace. */
const A_NAMES = { team: "Secret", role: "ZebraRole" };
const NOWHERE = { team: "Nowhere", role: "NoSuchRole" };
const fill = (template: string, names: typeof A_NAMES) =>
  template.replaceAll("{team}", names.team).replaceAll("{role}", names.role);

describe("the probes", () => {
  it("cover every subcommand in the registry, and only those", () => {
    expect(Object.keys(PROBES).sort()).toEqual(SUBCOMMANDS.map((s) => s.name).sort());
  });
});

describe.each(testDatabases())("workspace isolation on $name", (kind) => {
  let db: Database;
  let world: SlackWorld;
  const B = newWorkspaceId();
  const inA = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });
  /** Row ids in A that buttons carry. */
  const ids = { invitation: 0, request: 0, team: 0 };

  beforeAll(async () => {
    db = await kind.open();
    world = await slackWorld(db, { orgAdmins: [ALICE] });
    for (const id of [ALICE, BOB, DAVE]) world.person(id);
    world.person(ERIN, { admin: true });
    world.slack.addChannel({ id: "C0SECRET", name: "zebra-secret", members: [ALICE, BOB] });
    const s = world.roster.services;
    const secret = await s.teams.create(inA(ALICE), {
      name: "Secret",
      description: "zebra plans",
      channelId: "C0SECRET",
      joinPolicy: "approval",
    });
    ids.team = secret.id;
    await s.teams.create(inA(ALICE), { name: "ZebraChild", parent: "Secret" });
    await s.members.add(inA(ALICE), "Secret", [BOB], "admin");
    const setUp = [
      [ALICE, "set Secret meta.code=zebra-meta"],
      [ALICE, "role-create ZebraRole team:view description=zebra-role"],
      [ALICE, "grant Secret usage:view_all"],
      [ALICE, "share Secret model:zebra-model read"],
      [ALICE, `limit Secret <@${BOB}> total=12345`],
      [ALICE, "key create Secret zebra-key"],
      [ALICE, "invite Secret zebra@example.com"],
      [DAVE, "join Secret"],
    ];
    for (const [userId, text] of setUp) {
      const answer = await world.command(userId, text);
      expect(answer.json?.text, text).not.toMatch(/^:no_entry_sign:|Something went wrong/);
    }
    await s.usage.record(world.workspaceId, secret.id, [
      { transactionId: "zebra-tx", userId: BOB, tokens: 777, resource: "zebra-model" },
    ]);
    const one = async (sql: string) =>
      Number(((await db.dataSource.query(sql, [world.workspaceId])) as { id: number }[])[0]?.id);
    ids.invitation = await one("SELECT id FROM invitations WHERE workspace_id = ?");
    ids.request = await one("SELECT id FROM approval_requests WHERE workspace_id = ?");
    expect(ids.invitation && ids.request).toBeTruthy();
    // B's own team, so that B's lists aren't empty.
    await s.teams.create({ workspaceId: B, userId: ERIN }, { name: "Open" });
    await world.roster.deps.home.flush();
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  /**
   * What Slack was asked to show from here on (Web API calls but directory look-ups, and
   * response_url posts), as text without the ids and times that differ from one call to the next.
   */
  function shownSince(calls: number, responses: number): string {
    const shown = [
      ...world.slack.calls
        .slice(calls)
        .filter((c) => !c.method.startsWith("users."))
        .map((c) => ({ method: c.method, args: c.args })),
      ...world.slack.responses.slice(responses).map((r) => r.body),
    ];
    return JSON.stringify(shown).replace(/"(trigger_id|ts|view_id|hash|message_ts)":"[^"]*"/g, "");
  }

  /** `/team <text>` as `userId` in workspace B: the ack's reply and everything shown meanwhile. */
  async function commandInB(userId: string, text: string): Promise<{ reply: string; shown: string }> {
    // Work left over from earlier commands (App Home refreshes in A) is not this command's.
    await world.roster.deps.home.flush();
    await world.roster.deps.sync.flush();
    const [calls, responses] = [world.slack.calls.length, world.slack.responses.length];
    const answer = await postToSlackApp(world.url, SIGNING_SECRET, {
      form: slashCommand({
        workspaceId: B,
        userId,
        text,
        channelId: "C0BGENERAL",
        responseUrl: world.slack.responseUrl(),
      }),
    });
    expect(answer.status, text).toBe(200);
    await world.roster.deps.home.flush();
    await world.roster.deps.sync.flush();
    return { reply: answer.text, shown: shownSince(calls, responses) };
  }

  it("shows A's team, with its marks, to the same people in A (so a leak would be seen)", async () => {
    for (const [text, shows] of [
      ["list", "Secret"],
      ["info Secret", "zebra plans"],
      ["tree Secret", "ZebraChild"],
      ["roles", "ZebraRole"],
      ["key list Secret", "zebra-key"],
      ["invites Secret", "zebra@example.com"],
      ["usage Secret by=resource", "zebra-model"],
      ["activity Secret since=365d", "zebra"],
    ]) {
      const answer = await world.command(ALICE, text);
      expect(JSON.stringify(answer.json), text).toContain(shows);
    }
  });

  // First, while B has nothing but its own team (the probes below create a role or two there).
  it("lists nothing of A in B: teams, roles, the App Home", async () => {
    for (const userId of [ALICE, ERIN]) {
      for (const text of ["list", "list mine", "roles", "help"]) {
        const { reply, shown } = await commandInB(userId, text);
        expect(`${reply}${shown}`, text).not.toMatch(/Secret|zebra/i);
      }
      await world.roster.deps.home.flush();
      const calls = world.slack.calls.length;
      await postToSlackApp(world.url, SIGNING_SECRET, {
        json: eventCallback({ workspaceId: B, event: appHomeOpened(userId) }),
      });
      await expect
        .poll(() => world.slack.calls.slice(calls).some((c) => c.method === "views.publish"))
        .toBe(true);
      const home = JSON.stringify(world.slack.calls.slice(calls).filter((c) => c.method === "views.publish"));
      if (userId === ERIN) expect(home).toContain("Open"); // B's team, which ERIN owns
      expect(home).not.toMatch(/Secret|zebra/i);
    }
  });

  it("answers every subcommand about A's team from B exactly as about a team that exists nowhere", async () => {
    const before = await workspaceRows(db, world.workspaceId);
    const templates = Object.values(PROBES).flat();
    // As the owner of Secret in A, an org admin everywhere: whoever could reach A's team, she could.
    for (const template of templates) {
      const aside = await commandInB(ALICE, fill(template, A_NAMES));
      const nowhere = await commandInB(ALICE, fill(template, NOWHERE));
      const what = `/team ${fill(template, A_NAMES)} in B`;
      const asIfNowhere = (text: string) =>
        text.replaceAll(A_NAMES.team, NOWHERE.team).replaceAll(A_NAMES.role, NOWHERE.role);
      // The names echoed from the command aside, nothing of A's shows.
      expect(asIfNowhere(`${aside.reply}${aside.shown}`), what).not.toMatch(MARKER);
      expect(asIfNowhere(aside.reply), what).toBe(asIfNowhere(nowhere.reply));
      expect(asIfNowhere(aside.shown), what).toBe(asIfNowhere(nowhere.shown));
    }
    expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
  });

  /** How each button is pressed from B: with the id of A's row it acts on. */
  const BUTTONS: Record<string, () => string> = {
    INVITATION_ACCEPT: () => String(ids.invitation),
    INVITATION_DECLINE: () => String(ids.invitation),
    INVITATION_RESEND: () => String(ids.invitation),
    INVITATION_REVOKE: () => String(ids.invitation),
    REQUEST_APPROVE: () => String(ids.request),
    REQUEST_DENY: () => String(ids.request),
    DIGEST_REQUEST_MORE: () => String(ids.team),
  };

  it("has a probe for every button that carries a row id", () => {
    expect(Object.keys(BUTTONS).sort()).toEqual(Object.keys(ACTION_IDS).sort());
  });

  it("answers every button pressed in B with an id of A's exactly as with an id that exists nowhere", async () => {
    const before = await workspaceRows(db, world.workspaceId);
    const press = async (userId: string, actionId: string, value: string) => {
      await world.roster.deps.home.flush();
      const [calls, responses] = [world.slack.calls.length, world.slack.responses.length];
      const answer = await postToSlackApp(world.url, SIGNING_SECRET, {
        payload: blockActions({
          workspaceId: B,
          userId,
          actionId,
          value,
          responseUrl: world.slack.responseUrl(),
        }),
      });
      expect(answer.status).toBe(200);
      // Buttons answer after the ack, through the response_url or a modal.
      await expect
        .poll(() => world.slack.responses.length + world.slack.calls.length)
        .toBeGreaterThan(responses + calls);
      await world.roster.deps.home.flush();
      return shownSince(calls, responses);
    };
    for (const [name, value] of Object.entries(BUTTONS)) {
      const actionId = (ACTION_IDS as Record<string, string>)[name];
      for (const userId of [ALICE, ERIN]) {
        const aside = await press(userId, actionId, value());
        const nowhere = await press(userId, actionId, "987654321");
        expect(aside, `${name} as ${userId}`).not.toMatch(MARKER);
        expect(aside, `${name} as ${userId}`).toBe(nowhere);
      }
    }
    expect(changedTables(before, await workspaceRows(db, world.workspaceId))).toEqual([]);
  });
});
