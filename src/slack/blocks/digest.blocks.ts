import type { KnownBlock } from "@slack/types";
import type { LimitPeriod } from "../../../entities";
import { localDay } from "../../domain/periods";
import type { Digest, DigestBudget, DigestMember } from "../../services/digest.service";
import { DIGEST_REQUEST_MORE } from "../action-ids";
import type { Person } from "../people";
import {
  actions,
  button,
  clip,
  commandName,
  context,
  divider,
  escapeText,
  fields,
  header,
  LIMITS,
  mention,
  plural,
  section,
} from "./common";
import {
  changeText,
  count,
  dayLabel,
  limitMark,
  limitText,
  memberLine,
  membersCommand,
  percent,
  periodLabel,
  sections,
  when,
} from "./digest-format";

/** Members named in the message itself; everyone else is a "Show all members" press away. */
export const DIGEST_TOP_MEMBERS = 20;
/** Members per page of "Show all members". */
export const DIGEST_MEMBERS_PAGE = 50;
const TOP_RESOURCES = 5;
const NEAR_SHOWN = 10;
const IDLE_MENTIONED = 30;
/** Deactivate buttons under the idle list (an actions block holds 25; a message should stay calm). */
const IDLE_BUTTONS = 5;
const BUDGET_USED: Record<LimitPeriod, string> = {
  none: "so far",
  daily: "today",
  weekly: "this week",
  monthly: "this month",
};

function timeZoneDate(epochMs: number, digest: Digest): string {
  return dayLabel(localDay(epochMs, digest.timeZone));
}

/** The budget in one sentence: used, and when it runs out at the period's pace. */
function budgetText(budget: DigestBudget, digest: Digest): string {
  const team = escapeText(digest.team.name);
  const pace = digest.period.partial ? "this week's pace" : "last week's pace";
  const used = `${count(budget.used)} of ${count(budget.totalMax)} tokens ${BUDGET_USED[budget.period]} (${percent((budget.used / Math.max(budget.totalMax, 1)) * 100)})`;
  const resets = budget.resetsAt === null ? "" : `; it resets ${timeZoneDate(budget.resetsAt, digest)}`;
  if (budget.used >= budget.totalMax) return `:red_circle: ${team}'s budget has run out: ${used}${resets}.`;
  if (budget.runsOutAt === null) {
    return budget.pacePerWeek === 0
      ? `${team}'s budget: ${used}. Nothing was spent, so it isn't running down.`
      : `${team}'s budget: ${used}. At ${pace} (${count(budget.pacePerWeek)} a week) it doesn't run out${budget.resetsAt === null ? "" : " before it resets"}.`;
  }
  return `${budget.runsOutAt - digest.builtAt < 7 * 86_400_000 ? ":warning: " : ""}${team}'s budget: ${used}. At ${pace} (${count(budget.pacePerWeek)} a week) it runs out around ${timeZoneDate(budget.runsOutAt, digest)}${resets}.`;
}

function waitingText(digest: Digest): string | null {
  const w = digest.waiting;
  if (!w) return null;
  const parts = [
    w.joinRequests && plural(w.joinRequests, "join request"),
    w.limitRequests && plural(w.limitRequests, "limit request"),
    w.invitations && plural(w.invitations, "pending invitation"),
  ].filter(Boolean);
  if (parts.length === 0) return "Nothing waits for admins.";
  const name = commandName(escapeText(digest.team.name));
  return `${parts.join(" · ")}. Requests are on admins' App Home; \`/team invites ${name}\` lists invitations.`;
}

function idleBlocks(digest: Digest, names: Map<string, Person | null>): KnownBlock[] {
  if (digest.idle.length === 0) return [];
  const shown = digest.idle.slice(0, IDLE_MENTIONED).map(mention).join(", ");
  const more =
    digest.idle.length > IDLE_MENTIONED ? ` and ${count(digest.idle.length - IDLE_MENTIONED)} more` : "";
  const blocks: KnownBlock[] = [
    section(`*No usage for four weeks* (${count(digest.idle.length)})\n${shown}${more}`),
  ];
  if (digest.audience === "member") return blocks;
  const team = escapeText(digest.team.name);
  blocks.push(
    actions(
      "digest_idle",
      digest.idle.slice(0, IDLE_BUTTONS).map((userId) => {
        const name = names.get(userId)?.name ?? userId;
        return button(
          `Deactivate @${name}`,
          `team_run_command:deactivate-${userId}`,
          `deactivate ${commandName(digest.team.name)} ${mention(userId)}`,
          "danger",
          {
            title: clip(`Deactivate @${name}?`, 100),
            text: `${mention(userId)} stays listed in ${team} but can't spend or act there until reactivated (\`/team reactivate\`).`,
            confirm: "Deactivate",
          },
        );
      }),
    ),
    context("Only the team's admins can deactivate; anyone else is told so privately."),
  );
  return blocks;
}

/**
 * The digest as one Slack message: totals against the previous week, the top spenders against
 * their limits (everyone else behind "Show all members"), top resources, who is near or over a
 * limit, the budget's runway, idle members with Deactivate buttons, what waits for admins, and a
 * "Request more" button. Within Slack's limits for a team of any size: at most about 16 blocks,
 * each section under 3,000 characters. `names` label the buttons (mentions do the rest).
 */
export function digestMessage(
  digest: Digest,
  names: Map<string, Person | null>,
): { text: string; blocks: KnownBlock[] } {
  const team = escapeText(digest.team.name);
  const { week } = when(digest);
  const range = periodLabel(digest.period.days);
  const spent = digest.members.filter((m) => m.tokens > 0 && m.status === "active").length;
  const blocks: KnownBlock[] = [
    header(`${digest.team.name} · ${digest.period.partial ? "this week so far" : "weekly digest"}`),
    context(`${range}${digest.period.partial ? " (so far)" : ""} · days in ${escapeText(digest.timeZone)}`),
    fields([
      [`Tokens ${week}`, count(digest.total)],
      ["Change", changeText(digest)],
      ["Active members", `${count(spent)} of ${count(digest.activeMembers)} spent`],
      ["Resources used", count(digest.resourceCount)],
    ]),
  ];
  if (digest.budget) blocks.push(section(`*Budget*\n${budgetText(digest.budget, digest)}`));
  blocks.push(divider());

  const top = digest.members.slice(0, DIGEST_TOP_MEMBERS);
  if (digest.members.length === 0) blocks.push(section(`*Spend by member*\n${team} has no active members.`));
  else
    blocks.push(
      ...sections(
        "*Spend by member*, most first",
        top.map((m, i) => memberLine(m, i + 1)),
      ),
    );
  if (digest.members.length > top.length) {
    blocks.push(context(`Showing ${top.length} of ${plural(digest.members.length, "member")}.`));
  }

  if (digest.resources.length > 0) {
    const lines = digest.resources
      .slice(0, TOP_RESOURCES)
      .map(
        (r) =>
          `• ${escapeText(clip(r.resource, 80))} — ${count(r.tokens)} (${percent((r.tokens / Math.max(digest.total, 1)) * 100)})`,
      );
    const more = digest.resourceCount - Math.min(TOP_RESOURCES, digest.resources.length);
    blocks.push(
      section(`*Top resources*\n${lines.join("\n")}${more > 0 ? `\n…and ${count(more)} more` : ""}`),
    );
  }

  if (digest.nearLimit.length > 0) {
    const lines = digest.nearLimit
      .slice(0, NEAR_SHOWN)
      .map((m) => `${limitMark(m.limit?.percent ?? 0).trim()} ${mention(m.userId)} ${limitText(m)}`);
    const more = digest.nearLimit.length - NEAR_SHOWN;
    blocks.push(
      ...sections(
        `*Near or over a limit* (${count(digest.nearLimit.length)})`,
        more > 0 ? [...lines, `…and ${count(more)} more`] : lines,
      ),
    );
  }

  blocks.push(...idleBlocks(digest, names));
  const waiting = waitingText(digest);
  if (waiting) blocks.push(section(`*Waiting for admins*\n${waiting}`));

  const buttons = [
    button("Request more tokens", `${DIGEST_REQUEST_MORE}:digest`, String(digest.team.id), "primary"),
  ];
  if (digest.members.length > top.length) {
    buttons.push(
      button(
        `Show all ${count(digest.members.length)} members`,
        "team_run_command:digest-members",
        membersCommand(digest),
      ),
    );
  }
  blocks.push(actions("digest_actions", buttons));
  const note = limitsNote(top);
  if (note) blocks.push(context(note));
  return { text: fallbackText(digest, range), blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** How the shown limits other than weekly ones are measured, when any is shown. */
function limitsNote(shown: DigestMember[]): string | null {
  const periods = new Set(shown.map((m) => m.limit?.period));
  const notes = [
    periods.has("daily") && "a daily limit against the week's busiest day",
    periods.has("monthly") && "a monthly one against the month so far",
    periods.has("none") && "a lifetime one against everything so far",
  ].filter(Boolean);
  return notes.length ? `Spend is measured against ${notes.join(", ")}.` : null;
}

/** The message's text alone, as notifications and screen readers show it. */
function fallbackText(digest: Digest, range: string): string {
  const title = `${digest.team.name} ${digest.period.partial ? "digest so far" : "weekly digest"}, ${range}`;
  const parts = [`${title}: ${count(digest.total)} tokens (${changeText(digest)}).`];
  const spenders = digest.members.filter((m) => m.tokens > 0).slice(0, 3);
  if (spenders.length > 0) {
    parts.push(`Top: ${spenders.map((m) => `${mention(m.userId)} ${count(m.tokens)}`).join(", ")}.`);
  }
  if (digest.nearLimit.length > 0)
    parts.push(`${plural(digest.nearLimit.length, "member")} near or over a limit.`);
  if (digest.budget) parts.push(budgetText(digest.budget, digest).replace(/^:\w+: /, ""));
  if (digest.idle.length > 0)
    parts.push(`${plural(digest.idle.length, "member")} with no usage for four weeks.`);
  const waiting = waitingText(digest);
  if (waiting && digest.waiting && waiting !== "Nothing waits for admins.") {
    parts.push(`Waiting for admins: ${waiting.split(". ")[0]}.`);
  }
  return clip(parts.join(" "), 3000);
}

/** The people whose names the message needs (button labels): fetch these, not every member. */
export function digestNamed(digest: Digest): string[] {
  const charted = digest.chart.series.flatMap((s) => (s.userId ? [s.userId] : []));
  return [...new Set([...charted, ...digest.idle.slice(0, IDLE_BUTTONS)])];
}
