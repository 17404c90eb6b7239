import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { SUBCOMMANDS } from "../../src/slack/commands/subcommands";
import { testDatabases } from "../support/databases";
import { type SlackAnswer, type SlackWorld, slackWorld } from "../support/slack-app";
import { changedTables, workspaceRows } from "../security/workspace-rows";
import { fuzzRuns, refusalProblem, trackUnhandledRejections } from "./fuzz-checks";

/*
 * `/team <anything>` through the real app, signed as Slack signs it: every answer is a 200 with a
 * reply (or a modal opened), never a 500, a stack trace or "Something went wrong" for input that
 * is merely bad; a refusal is one sentence and leaves every row of the workspace as it was.
 */

const ALICE = "UALICE1"; // owns Platform and AI Lab
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // member of Platform
const DAVE = "UDAVE1"; // in the workspace, in no team
const ERIN = "UERIN1"; // org admin (ORG_ADMINS)
const GHOST = "UGHOST1"; // not in the Slack directory at all

const TEAMS = ["Platform", "platform", '"AI Lab"', "“AI Lab”", "Closed", "Nowhere", "'Platform'", "AI", "_"];
// prettier-ignore
const PEOPLE = [
  `<@${ALICE}>`, `<@${BOB}|bob>`, `<@${CAROL}>`, `<@${DAVE}>`, `<@${ERIN}>`, `<@${GHOST}>`, "<@W0GRID1>",
  "carol@example.com", "<mailto:nobody@example.com|nobody@example.com>", "@bob", "<!here>",
  "<!subteam^S1|@group>", "<@bob>",
];
// prettier-ignore
const KEYS = [
  "role", "tx", "total", "period", "parent", "policy", "visibility", "sharing", "description", "meta.cost",
  "meta.", "Meta.Region", "since", "limit", "page", "from", "to", "by", "handle", "reason", "sort", "status",
  "name", "channel", "x", "TX",
];
// prettier-ignore
const VALUES = [
  "0", "-1", "1", "10k", "1.5m", "1e6", "99999999999999999999999", "1,000", "1_000", "NaN", "Infinity", "0x10",
  "2026-02-30", "2026-01-01", "9999-12-31", "0000-01-01", "2026-1-1", "7d", "0d", "100000d", "12h", "open",
  "approval", "invite_only", "private", "organization", "all_members", "admins_only", "none", "daily",
  "weekly", "monthly", "owner", "admin", "member", "Auditor", "user", "resource", "day", "name", "members",
  "created", "active", "inactive", '"x y"', '""', "<#C0PLATFORM|platform>", "<#CBOGUS1>", `<@${BOB}>`,
  "Platform", '"AI Lab"', "null", "undefined", "__proto__", "constructor", "'; DROP TABLE teams; --",
  "%s%s%n", "${jndi:x}", "<script>", "&amp;", "😀", "\u202e", "\u200b",
];
// prettier-ignore
const WORDS = [
  "budget", "post", "mine", "off", "create", "list", "revoke", "usage:view_all", "team:view,members:manage",
  "keys:manage", "model:gpt-4o", "read,execute", "x:", ":", "read", "owner", "admin", "member", "Auditor",
  "ci-bot", "help", "--help", "-h", "*", "%", "\\", "&lt;", ",", "=", "==", "a=", "“", "”", '"',
];

const bare = fc.string({ minLength: 1, maxLength: 15 }).filter((s) => !/\s/.test(s));
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: bare },
);
const part = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TEAMS) },
  { weight: 3, arbitrary: fc.constantFrom(...PEOPLE) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...KEYS), value).map(([k, v]) => `${k}=${v}`),
  },
  { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 15 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 10 }) },
);
const subcommand = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...SUBCOMMANDS.map((s) => s.name)) },
  { weight: 1, arbitrary: fc.constantFrom("HELP", "Create", "nope", "", "-", "team", "<@UBOB1>", '"info"') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
// prettier-ignore
const PERMISSIONS = [
  "team:view", "team:update", "members:manage", "invites:manage", "joins:decide", "limits:manage",
  "usage:view_all", "keys:manage", "team:delete", "team:transfer", "read", "execute", "nope:x",
];
const permissionList = fc
  .array(fc.constantFrom(...PERMISSIONS), { minLength: 1, maxLength: 3 })
  .map((p) => p.join(","));
const tokens = fc.oneof(
  fc.constantFrom("0", "1", "500", "10k", "1m", "1.5m", "2b", "-5", "1e3", "99999999999999999"),
  fc.nat().map(String),
);

/** What `/team set` takes, each with values that are fine and values that are refused only by the rules. */
const SETTINGS: Record<string, fc.Arbitrary<string>> = {
  name: fc.oneof(
    fc.stringMatching(/^[A-Z][a-z]{2,8}$/),
    fc.constantFrom("Platform", '"AI Lab"', "a|b", '""'),
  ),
  description: fc.oneof(
    fc.lorem({ maxCount: 3 }).map((t) => JSON.stringify(t)),
    fc.constant(`"${"x".repeat(600)}"`),
  ),
  parent: fc.constantFrom("Platform", '"AI Lab"', "Closed", "Nowhere", "none"),
  channel: fc.constantFrom("<#C0PLATFORM|platform>", "<#CBOGUS1>", "none"),
  policy: fc.constantFrom("open", "approval", "invite_only", "closed"),
  visibility: fc.constantFrom("organization", "private"),
  sharing: fc.constantFrom("all_members", "admins_only"),
  "meta.costCenter": fc.constantFrom("4711", '""', `"${"y".repeat(300)}"`),
};

/** A value for a `<placeholder>` of a usage line. */
function placeholder(name: string): fc.Arbitrary<string> {
  switch (name) {
    case "team":
    case "from-team":
    case "to-team":
      return fc.constantFrom(...TEAMS);
    case "user":
    case "user|email":
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(ALICE, BOB, CAROL, DAVE, ERIN).map((id) => `<@${id}>`) },
        { weight: 1, arbitrary: fc.constantFrom(...PEOPLE) },
      );
    case "role":
      return fc.constantFrom("owner", "admin", "member", "Auditor", "nope", "ADMIN");
    case "permission":
    case "permission,…":
      return permissionList;
    case "tokens":
    case "n":
      return tokens;
    case "#channel":
      return fc.constantFrom("<#C0PLATFORM|platform>", "<#CBOGUS1>", "#general", "C0PLATFORM");
    case "name":
      return fc.oneof(fc.constantFrom(...TEAMS, "Evals", "Auditor", "ci-bot", '"New Team"'), bare);
    default:
      return value;
  }
}

/** One slot of a usage line (`<team>`, `[tx=<tokens>]`, `<user>…`, `create|list|revoke`) as text. */
function slot(spec: string): fc.Arbitrary<string> {
  const optional = /^\[(.*)\]$/.exec(spec);
  if (optional) return fc.option(slot(optional[1]), { freq: 2, nil: "" });
  if (spec === "<type>:<id>") return fc.constantFrom("model:gpt-4o", "dataset:x", "model:", ":x", "gpt-4o");
  if (spec === "<key>=<value>…") {
    // Several settings at once, some fine and some not: all of them change, or none.
    const setting = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .constantFrom(...Object.keys(SETTINGS))
          .chain((k) => SETTINGS[k].map((v) => `${k}=${v}`)),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYS), value).map(([k, v]) => `${k}=${v}`) },
    );
    return fc.array(setting, { minLength: 1, maxLength: 3 }).map((s) => s.join(" "));
  }
  const many = /^<(.+)>…$/.exec(spec);
  if (many) return fc.array(placeholder(many[1]), { minLength: 1, maxLength: 3 }).map((p) => p.join(" "));
  const one = /^<(.+)>$/.exec(spec);
  if (one) return placeholder(one[1]);
  const option = /^([a-z]+)=(.*)$/.exec(spec);
  if (option) {
    const [, key, shape] = option;
    const values = /^<(.+)>$/.exec(shape)
      ? placeholder(shape.slice(1, -1))
      : shape.includes("|")
        ? fc.constantFrom(...shape.split("|"))
        : shape === "YYYY-MM-DD"
          ? fc.constantFrom("2026-01-01", "2026-02-30", "1999-12-31", "9999-12-31", "2026-1-1")
          : shape === "7d"
            ? fc.constantFrom("7d", "1d", "0d", "100000d", "1w", "d")
            : fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s));
    return fc
      .oneof({ weight: 4, arbitrary: values }, { weight: 1, arbitrary: value })
      .map((v) => `${key}=${v}`);
  }
  if (spec.includes("|")) return fc.constantFrom(...spec.split("|"));
  if (spec === "command") return fc.constantFrom(...SUBCOMMANDS.map((s) => s.name), "nope");
  return fc.constant(spec);
}

/** Commands shaped like their usage line, with an occasional slot swapped for noise. */
const shapedCommand = fc.constantFrom(...SUBCOMMANDS).chain((command) => {
  const slots = command.usage.split(" ").slice(2).map(slot);
  return fc
    .tuple(
      fc.tuple(...slots.map((s) => fc.oneof({ weight: 8, arbitrary: s }, { weight: 1, arbitrary: part }))),
      fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: part }),
    )
    .map(([filled, extra]) => [command.name, ...filled, extra].filter(Boolean).join(" "));
});

const commandText = fc.oneof(
  { weight: 20, arbitrary: shapedCommand },
  {
    weight: 10,
    arbitrary: fc
      .tuple(subcommand, fc.array(part, { maxLength: 6 }))
      .map(([name, parts]) => [name, ...parts].join(" ")),
  },
  // Near and past the 4,000-character cap.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...SUBCOMMANDS.map((s) => s.name)), fc.integer({ min: 3980, max: 4100 }))
      .map(([name, length]) => `${name} ${"x".repeat(length - name.length - 1)}`),
  },
);
const actor = fc.constantFrom(ALICE, BOB, CAROL, DAVE, ERIN, GHOST);

describe.each(testDatabases())("/team with any text on $name", (kind) => {
  const rejections = trackUnhandledRejections();
  let db: Database;
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

  beforeAll(async () => {
    db = await kind.open();
    world = await slackWorld(db, { orgAdmins: [ERIN] });
    for (const id of [ALICE, BOB, CAROL, DAVE, ERIN]) world.person(id);
    world.slack.addChannel({ id: "C0PLATFORM", name: "platform", members: [ALICE, BOB] });
    const { teams, members } = world.roster.services;
    await teams.create(as(ALICE), { name: "Platform", channelId: "C0PLATFORM" });
    await teams.create(as(ALICE), { name: "AI Lab", parent: "Platform", joinPolicy: "approval" });
    await teams.create(as(ALICE), { name: "Closed", joinPolicy: "invite_only", visibility: "private" });
    await members.add(as(ALICE), "Platform", [BOB], "admin");
    await members.add(as(ALICE), "Platform", [CAROL]);
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });

  const errorLogs = (from: number) =>
    world.logs.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

  /** The reply to a command: in its ack, or (later than Slack's deadline) through the response_url. */
  async function replyTo(
    answer: SlackAnswer,
    responsesBefore: number,
  ): Promise<{ text: string; shown: string } | undefined> {
    const firstShown = (blocks: unknown) =>
      (blocks as { text?: { text?: string } }[] | undefined)?.[0]?.text?.text ?? "";
    if (answer.json?.text !== undefined)
      return { text: answer.json.text, shown: firstShown(answer.json.blocks) };
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = world.slack.responses.slice(responsesBefore)[0]?.body as
      { text?: string; blocks?: unknown } | undefined;
    return late?.text === undefined ? undefined : { text: late.text, shown: firstShown(late.blocks) };
  }

  it("answers every command with a reply or a modal; a refusal is one sentence and changes nothing", async () => {
    const seen = { refused: 0, answered: 0, modal: 0 };
    // The rows after a refusal, which are still the rows before the next command.
    let unchanged: Record<string, string> | undefined;
    await fc.assert(
      fc.asyncProperty(actor, commandText, async (userId, text) => {
        // Background work of the previous command (App Home, sync) must not land between readings.
        await world.roster.deps.home.flush();
        await world.roster.deps.sync.flush();
        const before = unchanged ?? (await workspaceRows(db, world.workspaceId));
        unchanged = undefined;
        const logsBefore = world.logs.length;
        const viewsBefore = world.slack.callsTo("views.open").length;
        const responsesBefore = world.slack.responses.length;
        const answer = await world.command(userId, text);
        const context = `/team ${JSON.stringify(text)} as ${userId}`;
        if (answer.status !== 200) throw new Error(`${context}: HTTP ${answer.status} ${answer.text}`);
        const reply = await replyTo(answer, responsesBefore);
        const logged = errorLogs(logsBefore);
        if (logged.length) throw new Error(`${context}: logged an error: ${logged.join("\n")}`);
        if (!reply) {
          if (world.slack.callsTo("views.open").length === viewsBefore) {
            throw new Error(`${context}: no reply and no modal (${answer.text})`);
          }
          seen.modal += 1;
          return;
        }
        const problem = refusalProblem(reply.text, reply.shown, text);
        if (problem) throw new Error(`${context}: ${problem}: ${reply.text}`);
        if (!reply.text.startsWith(":no_entry_sign: ")) {
          seen.answered += 1;
          return;
        }
        seen.refused += 1;
        const after = await workspaceRows(db, world.workspaceId);
        const changed = changedTables(before, after);
        if (changed.length)
          throw new Error(`${context}: refused (${reply.text}) but changed ${changed.join(", ")}`);
        unchanged = after;
      }),
      fuzzRuns(300, 8),
    );
    // Refusals and answers are both reached, or the property proves little.
    expect(seen.refused).toBeGreaterThan(20);
    expect(seen.answered).toBeGreaterThan(5);
    expect(rejections()).toEqual([]);
  });
});
