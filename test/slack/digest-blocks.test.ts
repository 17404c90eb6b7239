import { describe, expect, it } from "vitest";
import type { Digest, DigestMember } from "../../src/services/digest.service";
import { digestWeekEndedBefore } from "../../src/services/digest.service";
import { digestMessage, digestNamed } from "../../src/slack/blocks/digest.blocks";
import { digestMembersReply, digestPreviewReply } from "../../src/slack/blocks/digest-replies.blocks";
import type { Person } from "../../src/slack/people";

const TZ = "UTC";
const NOW = Date.UTC(2005, 5, 13, 9);
const period = digestWeekEndedBefore(NOW, TZ);
const id = (i: number) => `U${String(i).padStart(10, "0")}`;

/** A team the size the brief asks about: 5,000 members, all near a limit, most idle, 300 resources. */
function bigDigest(): Digest {
  const members: DigestMember[] = Array.from({ length: 5_000 }, (_, i) => ({
    userId: id(i),
    status: "active",
    tokens: 1_000_000_000 - i,
    limit: {
      scope: "member",
      period: "daily",
      totalMax: 1_000_000,
      used: 999_999,
      day: "2005-06-09",
      percent: 99.9,
    },
  }));
  return {
    workspaceId: "TBIG",
    team: { id: 7, name: `Platform ${"x".repeat(71)}`, channelId: "CBIG" },
    period,
    timeZone: TZ,
    builtAt: NOW,
    audience: "channel",
    total: 5_000_000_000_000,
    previousTotal: 1,
    change: 499_999_999_999_900,
    activeMembers: 5_000,
    members,
    resources: Array.from({ length: 10 }, (_, i) => ({
      resource: `model-${"r".repeat(180)}-${i}`,
      tokens: 10 - i,
    })),
    resourceCount: 300,
    nearLimit: members,
    budget: {
      totalMax: 10,
      period: "monthly",
      used: 5,
      pacePerWeek: 100,
      runsOutAt: NOW + 3_600_000,
      resetsAt: Date.UTC(2005, 6, 1),
    },
    idle: members.map((m) => m.userId),
    waiting: { joinRequests: 3, limitRequests: 1, invitations: 40 },
    chart: { days: period.days, series: [] },
  };
}

interface Block {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: { text: string } | string; value?: string; action_id?: string }[];
}

/** Every limit of Slack's Block Kit that a message can break. */
function expectWithinSlackLimits(reply: { text: string; blocks?: unknown[] }) {
  const blocks = (reply.blocks ?? []) as Block[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(reply.text.length).toBeGreaterThan(0);
  expect(reply.text.length).toBeLessThanOrEqual(3_000);
  for (const block of blocks) {
    if (block.type === "header") expect(block.text!.text.length).toBeLessThanOrEqual(150);
    if (block.type === "section") {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3_000);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2_000);
    }
    if (block.type === "actions") {
      expect(block.elements!.length).toBeLessThanOrEqual(25);
      const ids = block.elements!.map((e) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const element of block.elements!) {
        expect((element.text as { text: string }).text.length).toBeLessThanOrEqual(75);
        expect(element.value!.length).toBeLessThanOrEqual(2_000);
      }
    }
    if (block.type === "context") expect(block.elements!.length).toBeLessThanOrEqual(10);
  }
  return blocks;
}

describe("the digest's Block Kit", () => {
  it("keeps a 5,000-member team's digest within Slack's limits, naming the top 20", () => {
    const digest = bigDigest();
    const reply = digestMessage(digest, new Map());
    const blocks = expectWithinSlackLimits(reply);
    const all = JSON.stringify(blocks);
    expect(all).toContain(`<@${id(19)}>`);
    expect(all).not.toContain(`<@${id(20)}> —`);
    expect(all).toContain("Showing 20 of 5,000 members.");
    expect(all).toContain("Show all 5,000 members");
    expect(digestNamed(digest).length).toBeLessThanOrEqual(10);
    expectWithinSlackLimits(digestPreviewReply(digest, new Map()));
  });

  it("pages every member's spend, 50 a page, with Previous and Next", () => {
    const digest = bigDigest();
    const page = digestMembersReply(digest, 2);
    const blocks = expectWithinSlackLimits(page);
    const all = JSON.stringify(blocks);
    expect(all).toContain(`51. <@${id(50)}>`);
    expect(all).toContain(`100. <@${id(99)}>`);
    expect(all).not.toContain(`<@${id(100)}>`);
    expect(all).toContain("Page 2 of 100 · 5,000 members");
    const pager = blocks.at(-1)!.elements!.map((e) => e.value);
    expect(pager).toEqual([
      `digest "${digest.team.name}" members week=2005-06-06`,
      `digest "${digest.team.name}" members week=2005-06-06 page=3`,
    ]);
    expect(JSON.stringify(digestMembersReply(digest, 1_000).blocks)).toContain("Page 100 of 100");
  });

  it("reads on its own as text, with mentions, the change and the budget", () => {
    const digest = bigDigest();
    const small: Digest = {
      ...digest,
      team: { id: 7, name: "Platform", channelId: "CPLAT" },
      total: 14_900,
      previousTotal: 3_200,
      change: 365.625,
      members: digest.members.slice(0, 3).map((m, i) => ({ ...m, tokens: [9_000, 3_600, 1_500][i] })),
      nearLimit: digest.nearLimit.slice(0, 2),
      idle: [id(1)],
      budget: {
        ...digest.budget!,
        totalMax: 40_000,
        used: 21_100,
        pacePerWeek: 16_900,
        runsOutAt: Date.UTC(2005, 5, 21, 3),
      },
    };
    expect(digestMessage(small, new Map()).text).toBe(
      "Platform weekly digest, 6 – 12 Jun 2005: 14,900 tokens (▲ 366% from 3,200 the week before). " +
        `Top: <@${id(0)}> 9,000, <@${id(1)}> 3,600, <@${id(2)}> 1,500. 2 members near or over a limit. ` +
        "Platform's budget: 21,100 of 40,000 tokens this month (53%). At last week's pace (16,900 a week) it runs out around Tue 21 Jun; it resets Fri 1 Jul. " +
        "1 member with no usage for four weeks. Waiting for admins: 3 join requests · 1 limit request · 40 pending invitations.",
    );
  });

  it("labels Deactivate buttons with names and asks to confirm; a member's preview has none", () => {
    const digest = { ...bigDigest(), idle: [id(1), id(2)] };
    const names = new Map<string, Person | null>([
      [id(1), { id: id(1), name: "dave", email: null, isAdmin: false, deleted: false, bot: false }],
    ]);
    const blocks = digestMessage(digest, names).blocks as unknown as {
      block_id?: string;
      elements?: { text: { text: string }; value: string; confirm?: { title: { text: string } } }[];
    }[];
    const idle = blocks.find((b) => b.block_id === "digest_idle")!.elements!;
    expect(idle.map((b) => [b.text.text, b.value, b.confirm?.title.text])).toEqual([
      ["Deactivate @dave", `deactivate "${digest.team.name}" <@${id(1)}>`, "Deactivate @dave?"],
      [`Deactivate @${id(2)}`, `deactivate "${digest.team.name}" <@${id(2)}>`, `Deactivate @${id(2)}?`],
    ]);
    const member = digestMessage({ ...digest, audience: "member", waiting: null }, names);
    expect(JSON.stringify(member.blocks)).not.toContain("digest_idle");
    expect(JSON.stringify(member.blocks)).not.toContain("Waiting for admins");
    expect(JSON.stringify(member.blocks)).toContain("Request more tokens");
  });
});
