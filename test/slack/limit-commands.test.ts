import { beforeEach, describe, expect, it } from "vitest";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackAnswer, SlackWorld } from "../support/slack-app";

/** The text of every section and context block, in order: what the user reads. */
function shown(answer: SlackAnswer): string {
  const blocks = (answer.json?.blocks ?? []) as {
    text?: { text: string };
    elements?: { text?: string }[];
  }[];
  return blocks
    .flatMap((b) => [b.text?.text ?? "", ...(b.elements ?? []).map((e) => e.text ?? "")])
    .join("\n");
}

/** The explanation's section for one limit, found by its title. */
function limitSection(answer: SlackAnswer, title: string): string {
  const section = shown(answer)
    .split(/\n(?=:arrow_right:|•|\*Overall)/)
    .find((s) => s.includes(title));
  if (!section) throw new Error(`no limit titled ${title} in:\n${shown(answer)}`);
  return section;
}

let spendCount = 0;

describe.each(testDatabases())("/team limit on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let OWNER: string, ADMIN: string, MEMBER: string;
  beforeEach(async () => {
    world = testWorld();
    [OWNER, ADMIN, MEMBER] = ["owner", "admin", "member"].map((l) => world.person(newUserId(l)));
    world.clock.set(Date.UTC(2026, 2, 10, 12, 0));
    await world.command(OWNER, "create AI");
    await world.command(OWNER, "create Platform parent=AI");
    await world.command(OWNER, "create Research parent=AI");
    await world.roster.services.members.add(as(OWNER), "Platform", [ADMIN], "admin");
    await world.roster.services.members.add(as(OWNER), "Platform", [MEMBER]);
  });

  const as = (userId: string) => ({ workspaceId: world.workspaceId, userId });
  const limit = (userId: string, text: string) => world.command(userId, `limit ${text}`);
  const spend = async (team: string, userId: string, tokens: number) => {
    const { team: found } = await world.roster.services.teams.get(as(OWNER), team);
    const { results } = await world.roster.services.usage.record(world.workspaceId, found.id, [
      { transactionId: `tx-${++spendCount}-${userId}`, userId, tokens, resource: "gpt-5" },
    ]);
    return results[0].status;
  };

  it("sets a member's total limit, says before → after in words, and explains it to them", async () => {
    const first = await limit(ADMIN, `Platform <@${MEMBER}|member> total=500k period=monthly`);
    expect(first.json?.text).toBe(`<@${MEMBER}>'s total limit in Platform: none → 500,000 tokens a month.`);
    const raised = await limit(ADMIN, `Platform <@${MEMBER}> total=1m`);
    expect(raised.json?.text).toBe(
      `<@${MEMBER}>'s total limit in Platform: 500,000 → 1,000,000 tokens a month.`,
    );
    const changed = await limit(ADMIN, `Platform <@${MEMBER}> period=daily`);
    expect(changed.json?.text).toBe(
      `<@${MEMBER}>'s total limit in Platform: 1,000,000 tokens a month → 1,000,000 tokens a day.`,
    );

    await spend("Platform", MEMBER, 250_000);
    const explained = await limit(MEMBER, "Platform");
    const own = limitSection(explained, "Your own limit in Platform");
    expect(own).toContain("*binds*");
    expect(own).toContain("Per request: none · Total: 1,000,000 tokens a day");
    expect(own).toContain("Used today: 250,000 tokens · 750,000 tokens left · resets <!date^");
    expect(own).toContain("|2026-03-11>");
    expect(own).toContain(`Set by <@${ADMIN}>`);
    expect(explained.json?.text).toContain(
      "750,000 tokens left under the tightest total; the largest single request allowed now is 750,000 tokens.",
    );
  });

  it("sets the team's default per member and its budget, and explains both to a member", async () => {
    const byDefault = await limit(OWNER, "Platform tx=10k total=200k period=weekly");
    expect(shown(byDefault)).toContain(
      "Each member's default total limit in Platform: none → 200,000 tokens a week",
    );
    expect(shown(byDefault)).toContain(
      "Each member's default limit per request in Platform: none → 10,000 tokens",
    );
    const budget = await limit(OWNER, "Platform total=1.5m period=monthly budget");
    expect(budget.json?.text).toBe("Platform's budget: none → 1,500,000 tokens a month.");

    const explained = await limit(MEMBER, "Platform");
    const fallback = limitSection(
      explained,
      "Platform's default limit per member (you have none of your own)",
    );
    expect(fallback).toContain("Per request: 10,000 tokens · Total: 200,000 tokens a week");
    expect(fallback).toContain("*binds*");
    const team = limitSection(explained, "Platform's budget (the whole team's spend)");
    expect(team).toContain("Used this month: 0 tokens · 1,500,000 tokens left");
    expect(team).not.toContain("binds");
    expect(explained.json?.text).toContain("the largest single request allowed now is 10,000 tokens");
  });

  it("needs limits:manage to set a limit, and changes nothing for a member who tries", async () => {
    const refused = await limit(MEMBER, `Platform <@${MEMBER}> total=10m`);
    expect(refused.json?.text).toBe(
      ":no_entry_sign: You need the limits:manage permission in Platform to set limits in Platform; ask the team's owner or an admin.",
    );
    const theirs = await limit(MEMBER, `Platform <@${ADMIN}>`);
    expect(theirs.json?.text).toContain("You need the usage:view_all permission in Platform");
    const explained = await limit(MEMBER, "Platform");
    expect(explained.json?.text).toBe(
      "No limit applies to you in Platform: you have no limit of your own, Platform sets no default per member, and neither Platform nor any team above it has a budget.",
    );
  });

  it("refuses a sub-team budget that would exceed its parent's, with the numbers, and keeps the old one", async () => {
    await limit(OWNER, "AI total=1m period=monthly budget");
    expect((await limit(OWNER, "Platform total=600k period=monthly budget")).json?.text).toBe(
      "Platform's budget: none → 600,000 tokens a month.",
    );
    await limit(OWNER, "Research total=100k period=monthly budget");
    const refused = await limit(OWNER, "Research total=500k budget");
    expect(refused.json?.text).toBe(
      ":no_entry_sign: AI's budget is 1,000,000 tokens (monthly) and its other sub-teams' budgets add up to 600,000, so Research's can be at most 400,000, not 500,000.",
    );
    const explained = await limit(OWNER, "Research");
    expect(limitSection(explained, "Research's budget")).toContain("Total: 100,000 tokens a month");
  });

  it("removes one value with tx=none, the whole limit when nothing is left, and says so", async () => {
    await limit(ADMIN, `Platform <@${MEMBER}> tx=5,000 total=100k`);
    const noTx = await limit(ADMIN, `Platform <@${MEMBER}> tx=none`);
    expect(noTx.json?.text).toBe(`<@${MEMBER}>'s limit per request in Platform: 5,000 tokens → none.`);
    let explained = await limit(MEMBER, "Platform");
    expect(limitSection(explained, "Your own limit")).toContain(
      "Per request: none · Total: 100,000 tokens (lifetime)",
    );
    expect(limitSection(explained, "Your own limit")).toContain("never resets");

    const removed = await limit(ADMIN, `Platform <@${MEMBER}> total=none`);
    expect(removed.json?.text).toBe(
      `Removed <@${MEMBER}>'s own limit in Platform (it was 100,000 tokens (lifetime)).`,
    );
    explained = await limit(MEMBER, "Platform");
    expect(explained.json?.text).toMatch(/^No limit applies to you in Platform/);
    const nothing = await limit(ADMIN, `Platform <@${MEMBER}> tx=none`);
    expect(nothing.json?.text).toBe(
      `<@${MEMBER}> has no limit of their own in Platform, so there was nothing to change; set one with tx= or total=.`,
    );
  });

  it("marks which limit binds across the member's own, the team's budget and an ancestor's budget", async () => {
    await limit(OWNER, "AI total=1m period=monthly budget");
    await limit(OWNER, "Platform total=500k period=monthly budget");
    await limit(OWNER, `Platform <@${MEMBER}> total=800k period=monthly`);
    expect(await spend("Platform", MEMBER, 300_000)).toBe("accepted");

    let explained = await limit(OWNER, `Platform <@${MEMBER}>`);
    const binding = () =>
      shown(explained)
        .split("\n")
        .filter((l) => l.includes("*binds*"));
    expect(binding()).toEqual([":arrow_right: *Platform's budget (the whole team's spend)* — *binds*"]);
    expect(limitSection(explained, `<@${MEMBER}>'s own limit`)).toContain("500,000 tokens left");
    expect(limitSection(explained, "Platform's budget")).toContain("200,000 tokens left");
    expect(limitSection(explained, "AI's budget (includes Platform, a team under it)")).toContain(
      "700,000 tokens left",
    );

    // Spend elsewhere under AI counts against AI's budget, which now binds.
    expect(await spend("Research", OWNER, 650_000)).toBe("accepted");
    explained = await limit(OWNER, `Platform <@${MEMBER}>`);
    expect(binding()).toEqual([":arrow_right: *AI's budget (includes Platform, a team under it)* — *binds*"]);
    expect(explained.json?.text).toContain("50,000 tokens left under the tightest total");

    // The member's own limit binds once it is the lowest.
    await limit(OWNER, `Platform <@${MEMBER}> total=310k`);
    explained = await limit(MEMBER, "Platform");
    expect(binding()).toEqual([":arrow_right: *Your own limit in Platform* — *binds*"]);
    expect(explained.json?.text).toContain("10,000 tokens left under the tightest total");
  });

  it("resets a daily limit at midnight and a monthly one on the 1st (TIMEZONE is UTC)", async () => {
    world.clock.set(Date.UTC(2026, 2, 31, 23, 30));
    await limit(ADMIN, `Platform <@${MEMBER}> total=1000 period=daily`);
    await limit(OWNER, "Platform total=5000 period=monthly budget");
    expect(await spend("Platform", MEMBER, 1000)).toBe("accepted");
    expect(await spend("Platform", ADMIN, 4000)).toBe("accepted");
    expect(await spend("Platform", MEMBER, 1)).toBe("rejected");

    let explained = await limit(MEMBER, "Platform");
    expect(limitSection(explained, "Your own limit")).toContain(
      "Used today: 1,000 tokens · 0 tokens left · resets",
    );
    expect(limitSection(explained, "Your own limit")).toContain("|2026-04-01>");
    expect(limitSection(explained, "Platform's budget")).toContain(
      "Used this month: 5,000 tokens · 0 tokens left",
    );

    world.clock.set(Date.UTC(2026, 3, 1, 0, 0));
    explained = await limit(MEMBER, "Platform");
    expect(limitSection(explained, "Your own limit")).toContain("Used today: 0 tokens · 1,000 tokens left");
    expect(limitSection(explained, "Platform's budget")).toContain(
      "Used this month: 0 tokens · 5,000 tokens left",
    );
    expect(limitSection(explained, "Platform's budget")).toContain("|2026-05-01>");
    expect(await spend("Platform", MEMBER, 1000)).toBe("accepted");

    // The next day the member's daily limit is back, while the month's budget keeps counting.
    world.clock.set(Date.UTC(2026, 3, 2, 0, 0));
    explained = await limit(MEMBER, "Platform");
    expect(limitSection(explained, "Your own limit")).toContain("Used today: 0 tokens · 1,000 tokens left");
    expect(limitSection(explained, "Platform's budget")).toContain(
      "Used this month: 1,000 tokens · 4,000 tokens left",
    );
  });

  it("shows the higher limit an approved limit request gave, and who approved it", async () => {
    await limit(OWNER, `Platform <@${MEMBER}> tx=20k total=100k period=monthly`);
    const { request } = await world.roster.services.approvals.requestLimit(
      as(MEMBER),
      "Platform",
      300_000,
      "evals",
    );
    world.clock.set(Date.UTC(2026, 2, 11, 9, 0));
    await world.roster.services.approvals.decide(as(ADMIN), request.id, true);
    const own = limitSection(await limit(MEMBER, "Platform"), "Your own limit");
    expect(own).toContain("Per request: 20,000 tokens · Total: 300,000 tokens a month");
    expect(own).toContain(`Set by <@${ADMIN}> <!date^${Date.UTC(2026, 2, 11, 9, 0) / 1000}^`);
  });

  it("answers bad input with one sentence naming the fix", async () => {
    expect((await limit(OWNER, "Platform tx=lots")).json?.text).toContain(
      "Give tx= a whole number like tx=10k, not “lots”",
    );
    expect((await limit(OWNER, "Platform period=yearly total=1")).json?.text).toContain(
      "Give period= one of none, daily, weekly or monthly",
    );
    expect((await limit(OWNER, `Platform <@${MEMBER}> <@${ADMIN}> total=1`)).json?.text).toContain(
      `Unexpected <@${ADMIN}>; write the command like this`,
    );
    expect((await limit(OWNER, `Platform <@${MEMBER}> total=1 budget`)).json?.text).toContain(
      "A budget belongs to the team; name a user or budget, not both.",
    );
    expect((await limit(MEMBER, "Platform")).json?.text).toMatch(/^No limit applies/);
  });
});
