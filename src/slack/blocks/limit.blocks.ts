import type { KnownBlock } from "@slack/types";
import type { LimitEntity, LimitPeriod, TeamEntity } from "../../../entities";
import type { ExplainedLimit, LimitExplanation } from "../../services/limit.service";
import type { Reply } from "../reply";
import { commandName, context, escapeText, fitBlocks, mention, section, slackDate } from "./common";

/** What `/team limit … tx=… total=…` changed, as LimitService.set returns it. */
export interface LimitChangeResult {
  team: TeamEntity;
  limit: LimitEntity | null;
  before: LimitEntity | null;
}

/** Which limit the command named: a member's own, the team's default per member, or its budget. */
export interface LimitSubject {
  userId?: string;
  budget: boolean;
}

const WHEN = "{date_short_pretty} at {time}";
const PER: Record<LimitPeriod, string> = {
  none: "(lifetime)",
  daily: "a day",
  weekly: "a week",
  monthly: "a month",
};
const USED: Record<LimitPeriod, string> = {
  none: "so far",
  daily: "today",
  weekly: "this week",
  monthly: "this month",
};

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function tokens(n: number): string {
  return `${count(n)} ${n === 1 ? "token" : "tokens"}`;
}

function totalOf(limit: LimitEntity | null): string {
  return limit?.totalMax == null ? "none" : `${tokens(limit.totalMax)} ${PER[limit.period]}`;
}

function perRequestOf(limit: LimitEntity | null): string {
  return limit?.transactionMax == null ? "none" : tokens(limit.transactionMax);
}

/** "<@U>'s total limit in Platform", "Each member's default total limit in Platform", "Platform's budget". */
function label(subject: LimitSubject, team: string, what: "total" | "request"): string {
  const limit = what === "total" ? "total limit" : "limit per request";
  if (subject.userId) return `${mention(subject.userId)}'s ${limit} in ${team}`;
  if (!subject.budget) return `Each member's default ${limit} in ${team}`;
  return what === "total" ? `${team}'s budget` : `${team}'s limit per request for the whole team`;
}

/** "500,000 → 1,000,000 tokens a month" (same period), or each side in full when the period changed. */
function totalChange(before: LimitEntity | null, after: LimitEntity | null): string {
  const [was, now] = [totalOf(before), totalOf(after)];
  if (was === now) return `unchanged at ${now}`;
  if (before?.totalMax != null && after?.totalMax != null && before.period === after.period) {
    return `${count(before.totalMax)} → ${tokens(after.totalMax)} ${PER[after.period]}`;
  }
  return `${was} → ${now}`;
}

function requestChange(before: LimitEntity | null, after: LimitEntity | null): string {
  const [was, now] = [perRequestOf(before), perRequestOf(after)];
  if (was === now) return `unchanged at ${now}`;
  if (before?.transactionMax != null && after?.transactionMax != null) {
    return `${count(before.transactionMax)} → ${tokens(after.transactionMax)}`;
  }
  return `${was} → ${now}`;
}

/**
 * The reply to setting a limit: each value asked for (or changed), before → after, in words.
 * `asked` says which of tx/total/period the command gave.
 */
export function limitSetReply(
  result: LimitChangeResult,
  subject: LimitSubject,
  asked: { transaction: boolean; total: boolean },
): Reply {
  const { team, limit, before } = result;
  const name = escapeText(team.name);
  // A mention inside a code span shows as its raw ID in Slack: keep it outside.
  const explain = `\`/team limit ${commandName(team.name)}\`${subject.userId ? ` ${mention(subject.userId)}` : ""}`;
  const whose = subject.userId
    ? `${mention(subject.userId)} has no limit of their own in ${name}`
    : subject.budget
      ? `${name} has no budget`
      : `${name} has no default limit per member`;
  if (!limit && !before) {
    const text = `${whose}, so there was nothing to change; set one with tx= or total=.`;
    return { text, blocks: [section(`:information_source: ${text}`)] };
  }
  if (!limit && before) {
    const what = subject.userId
      ? `${mention(subject.userId)}'s own limit in ${name}`
      : subject.budget
        ? `${name}'s budget`
        : `the default limit per member in ${name}`;
    const was = [
      before.transactionMax === null ? "" : `${tokens(before.transactionMax)} per request`,
      before.totalMax === null ? "" : totalOf(before),
    ].filter(Boolean);
    const text = `Removed ${what} (it was ${was.join(" and ")}).`;
    return {
      text,
      blocks: [section(`:white_check_mark: ${text}`), context(`${explain} shows what applies now.`)],
    };
  }
  const lines: string[] = [];
  if (asked.total || before?.totalMax !== limit?.totalMax || before?.period !== limit?.period) {
    lines.push(`${label(subject, name, "total")}: ${totalChange(before, limit)}`);
  }
  if (asked.transaction || before?.transactionMax !== limit?.transactionMax) {
    lines.push(`${label(subject, name, "request")}: ${requestChange(before, limit)}`);
  }
  if (lines.length === 0) lines.push(`${label(subject, name, "total")}: ${totalChange(before, limit)}`);
  return {
    text: `${lines[0]}.`,
    blocks: [
      section(`:white_check_mark: ${lines.join("\n")}`),
      context(`${explain} explains every limit that applies and what remains.`),
    ],
  };
}

/** "Your own limit", "Platform's default per member", "AI's budget (includes Platform)". */
function title(item: ExplainedLimit, explanation: LimitExplanation, viewerId: string): string {
  const team = escapeText(item.team.name);
  const here = escapeText(explanation.team.name);
  const you = explanation.userId === viewerId;
  switch (item.limit.scope) {
    case "member":
      return you ? `Your own limit in ${team}` : `${mention(explanation.userId)}'s own limit in ${team}`;
    case "default":
      return `${team}'s default limit per member (${you ? "you have" : "they have"} none of ${you ? "your" : "their"} own)`;
    default:
      return item.team.id === explanation.team.id
        ? `${team}'s budget (the whole team's spend)`
        : `${team}'s budget (includes ${here}, a team under it)`;
  }
}

function describeLimit(item: ExplainedLimit, explanation: LimitExplanation, viewerId: string): string {
  const { limit } = item;
  const mark = item.binds ? ":arrow_right:" : "•";
  const lines = [`${mark} *${title(item, explanation, viewerId)}*${item.binds ? " — *binds*" : ""}`];
  const rules = [`Per request: ${perRequestOf(limit)}`, `Total: ${totalOf(limit)}`];
  lines.push(rules.join(" · "));
  if (limit.totalMax !== null) {
    const resets = item.resetsAt === null ? "never resets" : `resets ${slackDate(item.resetsAt, WHEN)}`;
    lines.push(
      `Used ${USED[limit.period]}: ${tokens(item.used)} · ${tokens(item.remaining ?? 0)} left · ${resets}`,
    );
  }
  lines.push(`_Set by ${mention(limit.setBy)} ${slackDate(limit.updatedAt, WHEN)}_`);
  return lines.join("\n");
}

/** The overall answer: what is left under the tightest total and the largest request allowed now. */
function overall(explanation: LimitExplanation): string {
  const { remaining, transactionMax } = explanation;
  const left =
    remaining === null
      ? "No total limit applies, so nothing caps spending over time"
      : `${tokens(remaining)} left under the tightest total`;
  const largest =
    transactionMax === null
      ? "no limit on a single request"
      : `the largest single request allowed now is ${tokens(transactionMax)}`;
  return `${left}; ${largest}.`;
}

/** `/team limit <team> [<user>]` with no numbers: every limit that applies, which binds, what remains. */
export function limitExplanationReply(explanation: LimitExplanation, viewerId: string): Reply {
  const team = escapeText(explanation.team.name);
  const you = explanation.userId === viewerId;
  const who = you ? "you" : mention(explanation.userId);
  if (explanation.limits.length === 0) {
    const text = you
      ? `No limit applies to you in ${team}: you have no limit of your own, ${team} sets no default per member, and neither ${team} nor any team above it has a budget.`
      : `No limit applies to ${who} in ${team}: they have no limit of their own, ${team} sets no default per member, and neither ${team} nor any team above it has a budget.`;
    return { text, blocks: [section(text), context("Spending there isn't capped.")] };
  }
  const binding = explanation.limits.find((l) => l.binds);
  const blocks: KnownBlock[] = [
    section(`*Limits that apply to ${who} in ${team}*`),
    ...explanation.limits.map((item) => section(describeLimit(item, explanation, viewerId))),
    section(`*Overall:* ${overall(explanation)}`),
    context(
      "Every limit that applies is enforced; the lowest binds. Budgets count the sub-teams' spend too.",
    ),
  ];
  const bindsText = binding ? ` (${title(binding, explanation, viewerId)} binds)` : "";
  return {
    text: `Limits for ${who} in ${team}: ${overall(explanation)}${bindsText}`,
    blocks: fitBlocks(blocks),
  };
}
