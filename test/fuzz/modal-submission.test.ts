import { readFileSync } from "node:fs";
import path from "node:path";
import type { ModalView } from "@slack/types";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { viewSubmission } from "../../src/stand-in/slack-payloads";
import { CREATE_TEAM_CALLBACK, createTeamModal } from "../../src/slack/views/team-create.modal";
import { EDIT_TEAM_CALLBACK, editTeamModal } from "../../src/slack/views/team-edit.modal";
import { INVITE_CALLBACK, inviteModal } from "../../src/slack/views/team-invite.modal";
import { LIMIT_REQUEST_CALLBACK, limitRequestModal } from "../../src/slack/views/limit-request.modal";
import { testDatabases } from "../support/databases";
import { SIGNING_SECRET, type SlackWorld, slackWorld } from "../support/slack-app";
import { changedTables, workspaceRows } from "../security/workspace-rows";
import { fuzzRuns, trackUnhandledRejections } from "./fuzz-checks";

/*
 * Every form Roster registers, submitted with any values Slack could carry in its state (and, now
 * and then, a state of the wrong shape): the answer is a 200 that closes the form, or
 * `response_action: "errors"` with one sentence under one of the form's input blocks, and a
 * refused form leaves every row of the workspace as it was.
 */

const ALICE = "UALICE1"; // owns Platform and Editable
const CAROL = "UCAROL1"; // member of Platform
const DAVE = "UDAVE1"; // in no team

interface Form {
  callback: string;
  /** The view as Roster opened it, for the world as it is now. */
  view(world: SlackWorld): Promise<ModalView>;
}

/** The team the edit form edits, made by each block's beforeAll. */
const editable = { id: 0 };

const as = (world: SlackWorld, userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

/** One entry per `app.view(...)` in src/slack/views/index.ts (a test below keeps them in step). */
const FORMS: Form[] = [
  { callback: CREATE_TEAM_CALLBACK, view: () => Promise.resolve(createTeamModal()) },
  {
    callback: EDIT_TEAM_CALLBACK,
    // Editable by its id: a successful edit may have renamed it.
    view: async (world) => {
      const rows = (await world.db.dataSource.query("SELECT name FROM teams WHERE id = ?", [
        editable.id,
      ])) as {
        name: string;
      }[];
      return editTeamModal(await world.roster.services.teams.get(as(world, ALICE), rows[0].name));
    },
  },
  {
    callback: INVITE_CALLBACK,
    view: async (world) =>
      inviteModal({ team: "Platform", roles: await world.roster.services.roles.list(as(world, ALICE)) }),
  },
  {
    callback: LIMIT_REQUEST_CALLBACK,
    // As a digest's "Request more tokens" opens it, for Platform.
    view: async (world) => {
      const { team } = await world.roster.services.teams.get(as(world, ALICE), "Platform");
      return limitRequestModal(await world.roster.services.digests.requestTarget(as(world, ALICE), team.id));
    },
  },
];

// prettier-ignore
const TYPED = [
  "", " ", "Platform", "platform", "AI Lab", "Nowhere", "New Team", "Editable", "<@UBOB1>", "<!here>",
  "a\nb", "x".repeat(81), "x".repeat(501), "x".repeat(3001), "R&D", "*bold*", "`code`", "😀", "\u0000",
  "\u202e", "a|b", "a<b>", "500k", "1.5m", "0", "-1", "1e9", "99999999999999999999", "12,500", "carol@example.com",
  "nobody@example.com, carol@example.com", "not-an-email", "a@b", "@bob", "null", "__proto__",
];
const typed = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TYPED) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 120 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const users = fc.oneof(
  { weight: 3, arbitrary: fc.subarray([CAROL, DAVE]) },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.oneof(fc.constantFrom(ALICE, CAROL, DAVE, "UGHOST1", "W0GRID1"), fc.string({ maxLength: 12 })),
      { maxLength: 4 },
    ),
  },
);
const freshName = fc.stringMatching(/^[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?$/);

/** What a person filling the form in properly types in each text field, by block_id. */
const PROPER: Record<string, fc.Arbitrary<string | null>> = {
  name: freshName,
  description: fc.oneof(fc.constant(null), fc.lorem({ maxCount: 8 })),
  parent: fc.constantFrom(null, "", "Platform", "AI Lab"),
  team: fc.constantFrom("Platform", "platform", "AI Lab"),
  emails: fc.constantFrom(null, "", "new.person@example.com", "a@example.com, b@example.com"),
  tokens: fc.constantFrom("500k", "1.5m", "750000", "12,500", "2b"),
  reason: fc.oneof(fc.constant(null), fc.lorem({ maxCount: 8 })),
};

interface Element {
  type: string;
  action_id: string;
  options?: { text: unknown; value?: string }[];
}

/**
 * What Slack puts in `view.state.values` for one input element: most often what a person filling
 * the form in properly would leave there, otherwise anything the element could hold.
 */
function elementState(blockId: string, element: Element): fc.Arbitrary<Record<string, unknown>> {
  const { type } = element;
  switch (type) {
    case "plain_text_input":
      return fc
        .oneof({ weight: 3, arbitrary: PROPER[blockId] ?? typed }, { weight: 1, arbitrary: typed })
        .map((value) => ({ type, value }));
    case "static_select":
      return fc
        .oneof(
          { weight: 8, arbitrary: fc.constantFrom(...(element.options ?? [])) },
          { weight: 1, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc
              .string({ maxLength: 20 })
              .map((value) => ({ text: { type: "plain_text", text: value }, value })),
          },
        )
        .map((selected_option) => ({ type, selected_option }));
    case "conversations_select":
      return fc
        .oneof(
          { weight: 4, arbitrary: fc.constantFrom(null, "C0PLATFORM") },
          { weight: 1, arbitrary: fc.constantFrom("CBOGUS1", "D0DIRECT", "") },
          { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
        )
        .map((selected_conversation) => ({ type, selected_conversation }));
    case "multi_users_select":
      return users.map((selected_users) => ({ type, selected_users }));
    default:
      throw new Error(`no state generator for ${type}: add one`);
  }
}

/** `view.state.values` for a view: every input block, as Slack sends it. */
function stateOf(view: ModalView): fc.Arbitrary<Record<string, unknown>> {
  const inputs = view.blocks.flatMap((b) =>
    b.type === "input" && b.block_id
      ? [{ blockId: b.block_id, element: (b as { element: unknown }).element as Element }]
      : [],
  );
  return fc
    .tuple(...inputs.map((i) => elementState(i.blockId, i.element)))
    .map((states) =>
      Object.fromEntries(inputs.map((input, i) => [input.blockId, { [input.element.action_id]: states[i] }])),
    );
}

/** A state Slack would never send: a block missing, or a value of the wrong type. */
function misshapen(state: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const blocks = Object.keys(state);
  return fc
    .tuple(
      fc.constantFrom(...blocks),
      fc.constantFrom(undefined, 42, "text", [], { value: 7 }, { value: { value: 7 } }),
    )
    .map(([block, replacement]) => {
      const copy: Record<string, unknown> = { ...state };
      if (replacement === undefined) delete copy[block];
      else copy[block] = replacement;
      return copy;
    });
}

describe("the forms under test", () => {
  it("are every form Roster registers", () => {
    const source = readFileSync(path.join(__dirname, "../../src/slack/views/index.ts"), "utf8");
    const registered = [...source.matchAll(/app\.view\((\w+)/g)].map((m) => m[1]).sort();
    const constants: Record<string, string> = {
      CREATE_TEAM_CALLBACK,
      EDIT_TEAM_CALLBACK,
      INVITE_CALLBACK,
      LIMIT_REQUEST_CALLBACK,
    };
    expect(registered.map((name) => constants[name] ?? `${name} (add it to FORMS)`).sort()).toEqual(
      FORMS.map((f) => f.callback).sort(),
    );
  });
});

describe.each(testDatabases())("modal submissions with any values on $name", (kind) => {
  const rejections = trackUnhandledRejections();
  let db: Database;
  let world: SlackWorld;

  beforeAll(async () => {
    db = await kind.open();
    world = await slackWorld(db);
    for (const id of [ALICE, CAROL, DAVE]) world.person(id);
    world.slack.addChannel({ id: "C0PLATFORM", name: "platform", members: [ALICE] });
    const { teams, members } = world.roster.services;
    await teams.create(as(world, ALICE), { name: "Platform", channelId: "C0PLATFORM" });
    await teams.create(as(world, ALICE), { name: "AI Lab", parent: "Platform" });
    editable.id = (await teams.create(as(world, ALICE), { name: "Editable" })).id;
    await members.add(as(world, ALICE), "Platform", [CAROL]);
    await members.add(as(world, ALICE), "Editable", [CAROL]);
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  const errorLogs = (from: number) =>
    world.logs.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

  /** A submission as Slack sends it, of `view` with `values` as its state. */
  const submit = (userId: string, callback: string, view: ModalView, values: Record<string, unknown>) =>
    postToSlackApp(world.url, SIGNING_SECRET, {
      payload: viewSubmission({
        workspaceId: world.workspaceId,
        userId,
        view: {
          id: "V0FUZZ1",
          callback_id: callback,
          private_metadata: view.private_metadata ?? "",
          blocks: view.blocks,
          state: { values },
        },
      }),
    });

  /**
   * The DM that ends the work a closed form does after its ack (cards, invitations, then the DM
   * telling the user): `sent` resolves when it goes out, or fails after 3 seconds.
   */
  function dmTo(userId: string): { sent: Promise<void>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe = () => {};
    const cancel = () => {
      clearTimeout(timer);
      unsubscribe();
    };
    const sent = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no DM to ${userId} within 3 s of a closed form`)), 3000);
      unsubscribe = world.slack.onCall((call) => {
        if (call.method === "chat.postMessage" && call.args.channel === userId) resolve();
      });
    }).finally(cancel);
    sent.catch(() => undefined); // awaited only when the form closed
    return { sent, cancel };
  }

  it.each(FORMS.map((f) => [f.callback, f] as const))(
    "%s: closes, or shows one sentence under one of its fields; a refusal changes nothing",
    async (_name, form) => {
      const seen = { closed: 0, refused: 0 };
      // The rows after a refusal, which are still the rows before the next submission.
      let unchanged: Record<string, string> | undefined;
      // Only people Slack knows: whoever submits a form is in the workspace.
      const actor = fc.constantFrom(ALICE, ALICE, CAROL, DAVE);
      const state = stateOf(await form.view(world));
      const values = fc.oneof(
        { weight: 6, arbitrary: state },
        { weight: 1, arbitrary: state.chain(misshapen) },
      );
      await fc.assert(
        fc.asyncProperty(actor, values, async (userId, values) => {
          const view = await form.view(world);
          const inputs = view.blocks.flatMap((b) => (b.type === "input" && b.block_id ? [b.block_id] : []));
          const before = unchanged ?? (await workspaceRows(db, world.workspaceId));
          unchanged = undefined;
          const logsBefore = world.logs.length;
          const done = dmTo(userId);
          const answer = await submit(userId, form.callback, view, values);
          if (answer.text !== "") done.cancel();
          const context = `${form.callback} as ${userId} with ${JSON.stringify(values).slice(0, 400)}`;
          if (answer.status !== 200) throw new Error(`${context}: HTTP ${answer.status} ${answer.text}`);
          if (answer.text === "") {
            // The form closed; the work after the ack (cards, invitations) ends with a DM to the user.
            await done.sent;
            await world.roster.deps.home.flush();
            const logged = errorLogs(logsBefore);
            if (logged.length) throw new Error(`${context}: closed, but logged ${logged.join("\n")}`);
            seen.closed += 1;
            return;
          }
          const body = answer.json as { response_action?: string; errors?: Record<string, string> };
          const entries = Object.entries(body.errors ?? {});
          if (body.response_action !== "errors" || entries.length !== 1) {
            throw new Error(`${context}: answered ${answer.text}`);
          }
          const [[block, message]] = entries;
          if (!inputs.includes(block))
            throw new Error(`${context}: error under ${block}, not an input block`);
          const logged = errorLogs(logsBefore);
          if (logged.length)
            throw new Error(`${context}: refused (${message}), but logged ${logged.join("\n")}`);
          if (/Something went wrong/.test(message) || !/^\S.*[.?]$/su.test(message) || message.length > 300) {
            throw new Error(`${context}: not one clear sentence: ${message}`);
          }
          seen.refused += 1;
          const after = await workspaceRows(db, world.workspaceId);
          const changed = changedTables(before, after);
          if (changed.length)
            throw new Error(`${context}: refused (${message}) but changed ${changed.join(", ")}`);
          unchanged = after;
        }),
        fuzzRuns(100, 2.5),
      );
      // Both outcomes are reached, or the property proves little.
      expect(seen.refused).toBeGreaterThan(2);
      expect(seen.closed).toBeGreaterThan(0);
      expect(rejections()).toEqual([]);
    },
  );
});
