import { beforeEach, describe, expect, it } from "vitest";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackWorld } from "../support/slack-app";

interface Block {
  type: string;
  text?: { text: string };
  elements?: { text?: string; action_id?: string; value?: string }[];
}

const blocksOf = (message: { blocks?: unknown[] } | undefined) => (message?.blocks ?? []) as Block[];

/** The table's lines, as the user reads them in the code block. */
function table(message: { blocks?: unknown[] } | undefined): string[] {
  return blocksOf(message)
    .map((b) => b.text?.text ?? "")
    .filter((t) => t.startsWith("```"))
    .flatMap((t) => t.replace(/^```\n|\n```$/g, "").split("\n"));
}

/** A row's cells: the key, then tokens, events and share. */
function cells(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

function pagerButtons(message: { blocks?: unknown[] } | undefined) {
  return blocksOf(message)
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);
}

let spendCount = 0;

describe.each(testDatabases())("/team usage on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let OWNER: string, ADMIN: string, ALICE: string, BOB: string;
  let teamId: number;
  beforeEach(async () => {
    world = testWorld();
    [OWNER, ADMIN, ALICE, BOB] = ["owner", "admin", "alice", "bob"].map((l) => world.person(newUserId(l)));
    world.clock.set(Date.UTC(2026, 0, 20, 12, 0));
    await world.command(OWNER, "create Platform");
    teamId = (await world.roster.services.teams.get(as(OWNER), "Platform")).team.id;
    await world.roster.services.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    await world.roster.services.members.add(as(OWNER), "Platform", [ALICE, BOB]);
    await record(ALICE, 1_000, "gpt-5", "2026-01-05T10:00:00Z");
    await record(ALICE, 3_000, "claude", "2026-01-06T23:59:59Z");
    await record(BOB, 6_000, "gpt-5", "2026-01-06T00:00:00Z");
    // Outside the default 30 days (2025-12-22 to 2026-01-20).
    await record(BOB, 50_000, "gpt-5", "2025-12-21T23:00:00Z");
  });

  const as = (userId: string) => ({ workspaceId: world.workspaceId, userId });
  const usage = (userId: string, text: string) => world.command(userId, `usage ${text}`);
  const record = async (userId: string, tokens: number, resource: string, at: string) => {
    const { results } = await world.roster.services.usage.record(world.workspaceId, teamId, [
      { transactionId: `tx-${++spendCount}`, userId, tokens, resource, occurredAt: Date.parse(at) },
    ]);
    expect(results[0].status).toBe("accepted");
  };
  const name = (userId: string) => `@${userId.toLowerCase()}`;

  it("shows everyone's usage by user over the last 30 days, with shares and a totals row", async () => {
    const answer = await usage(ADMIN, "Platform");
    expect(answer.json?.text).toBe(
      "Usage in Platform from 2025-12-22 to 2026-01-20 by user: 10,000 tokens in 3 events.",
    );
    expect(JSON.stringify(answer.json?.blocks)).toContain("everyone's usage in Platform and its sub-teams");
    const lines = table(answer.json);
    expect(cells(lines[0])).toEqual(["User", "Tokens", "Events", "Share"]);
    expect(lines.slice(2, 4).map(cells)).toEqual([
      [name(BOB), "6,000", "1", "60.0%"],
      [name(ALICE), "4,000", "2", "40.0%"],
    ]);
    expect(cells(lines[5])).toEqual(["Total", "10,000", "3", "100.0%"]);
    // Aligned: every line ends its columns at the same place.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(pagerButtons(answer.json)).toEqual([]);
  });

  it("groups by resource and by day between from and to, inclusive, in TIMEZONE", async () => {
    const resources = await usage(OWNER, "Platform by=resource from=2026-01-01 to=2026-01-31");
    expect(table(resources.json).slice(2, 4).map(cells)).toEqual([
      ["gpt-5", "7,000", "2", "70.0%"],
      ["claude", "3,000", "1", "30.0%"],
    ]);
    const days = await usage(OWNER, "Platform by=day from=2025-12-21 to=2026-01-06");
    expect(table(days.json).slice(2, 5).map(cells)).toEqual([
      ["2025-12-21 Sun", "50,000", "1", "83.3%"],
      ["2026-01-05 Mon", "1,000", "1", "1.7%"],
      ["2026-01-06 Tue", "9,000", "2", "15.0%"],
    ]);
    const oneDay = await usage(OWNER, "Platform by=day from=2026-01-06 to=2026-01-06");
    expect(oneDay.json?.text).toBe(
      "Usage in Platform from 2026-01-06 to 2026-01-06 by day: 9,000 tokens in 2 events.",
    );
  });

  it("shows a member only their own usage, grouped as asked, and refuses someone else's", async () => {
    const own = await usage(ALICE, "Platform");
    expect(own.json?.text).toBe(
      "Usage in Platform from 2025-12-22 to 2026-01-20 by user: 4,000 tokens in 2 events.",
    );
    expect(JSON.stringify(own.json?.blocks)).toContain("your own usage");
    expect(JSON.stringify(own.json?.blocks)).not.toContain(name(BOB));
    const byResource = await usage(ALICE, "Platform by=resource");
    expect(table(byResource.json).slice(2, 4).map(cells)).toEqual([
      ["claude", "3,000", "1", "75.0%"],
      ["gpt-5", "1,000", "1", "25.0%"],
    ]);
    expect((await usage(ALICE, `Platform <@${ALICE}|alice>`)).json?.text).toContain("4,000 tokens");

    const refused = await usage(ALICE, `Platform <@${BOB}>`);
    expect(refused.json?.text).toBe(
      ":no_entry_sign: You need the usage:view_all permission in Platform to see someone else's usage; /team usage Platform shows your own.",
    );
    const admin = await usage(ADMIN, `Platform <@${BOB}> by=resource`);
    expect(admin.json?.text).toContain("6,000 tokens in 1 event.");
    expect(JSON.stringify(admin.json?.blocks)).toContain(`<@${BOB}>'s usage`);

    // A grant of usage:view_all to the whole team lets members see everyone's.
    await world.command(OWNER, "grant Platform usage:view_all");
    expect((await usage(ALICE, "Platform")).json?.text).toContain("10,000 tokens in 3 events");
  });

  it("refuses bad dates with one sentence", async () => {
    const cases: [string, string][] = [
      ["from=2026-02-30", "from is a date written YYYY-MM-DD, like from=2026-01-31, not “2026-02-30”."],
      ["to=20260101", "to is a date written YYYY-MM-DD, like to=2026-01-31, not “20260101”."],
      [
        "from=2026-02-01 to=2026-01-01",
        "from=2026-02-01 is after to=2026-01-01; give a from on or before to.",
      ],
      ["from=2026-02-01", "from=2026-02-01 is after today, 2026-01-20; give a from on or before to."],
      [
        "from=2025-01-01 to=2026-01-02",
        "A report covers at most 366 days, and 2025-01-01 to 2026-01-02 is 367; narrow from= or to=.",
      ],
    ];
    for (const [options, sentence] of cases) {
      expect((await usage(ADMIN, `Platform ${options}`)).json?.text).toBe(`:no_entry_sign: ${sentence}`);
    }
    expect((await usage(ADMIN, "Platform from=2025-01-02 to=2026-01-02")).json?.text).toContain(
      "50,000 tokens in 1 event",
    );
    expect((await usage(ADMIN, "Platform by=week")).json?.text).toContain(
      "Give by= one of user, resource or day, not “week”",
    );
  });

  it("pages a long table 25 rows at a time, keeping the totals, with Previous and Next", async () => {
    const people = Array.from({ length: 30 }, (_, i) => world.person(newUserId(`p${i}`)));
    await world.roster.services.members.add(as(OWNER), "Platform", people);
    for (const [i, person] of people.entries())
      await record(person, 100 * (i + 1), "gpt-5", "2026-01-10T08:00:00Z");
    const total = 10_000 + (100 * 30 * 31) / 2;

    const first = await usage(OWNER, "Platform");
    const lines = table(first.json);
    expect(lines).toHaveLength(2 + 25 + 2);
    expect(cells(lines[2])).toEqual([name(BOB), "6,000", "1", `${((6000 / total) * 100).toFixed(1)}%`]);
    expect(cells(lines.at(-1) ?? "")).toEqual(["Total", total.toLocaleString("en-US"), "33", "100.0%"]);
    expect(JSON.stringify(first.json?.blocks)).toContain(
      "Page 1 of 2 · 32 users · 56,500 tokens in 33 events",
    );
    const [next] = pagerButtons(first.json);
    expect(next).toMatchObject({
      action_id: "team_page:next",
      value: "usage Platform from=2025-12-22 to=2026-01-20 by=user page=2",
    });

    await world.press(OWNER, next.action_id ?? "", next.value ?? "");
    await expect.poll(() => world.slack.responses.length).toBe(1);
    const second = world.slack.responses[0].body as { blocks: unknown[]; replace_original: boolean };
    expect(second.replace_original).toBe(true);
    const rest = table(second);
    expect(rest).toHaveLength(2 + 7 + 2);
    // Bob, Alice and the 23 biggest spenders filled page 1; the 7 smallest are left.
    expect(rest.slice(2, -2).map((l) => cells(l)[0])).toEqual(people.slice(0, 7).reverse().map(name));
    expect(cells(rest.at(-1) ?? "")).toEqual(["Total", "56,500", "33", "100.0%"]);
    expect(pagerButtons(second).map((b) => b.action_id)).toEqual(["team_page:previous"]);
  });

  it("says so when there is no usage in the range", async () => {
    const answer = await usage(ALICE, "Platform from=2026-01-07 to=2026-01-19");
    expect(answer.json?.text).toBe("No usage in Platform from 2026-01-07 to 2026-01-19 (your own usage).");
  });
});
