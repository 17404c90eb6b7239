import type { KnownBlock } from "@slack/types";
import type { UsageView } from "../../services/usage-report.service";
import type { Person } from "../people";
import type { Reply } from "../reply";
import {
  actions,
  button,
  commandName,
  context,
  escapeText,
  LIMITS,
  mention,
  plural,
  section,
} from "./common";

export const USAGE_PAGE_SIZE = 25;

type Row = UsageView["rows"][number];

export interface UsagePage {
  rows: Row[];
  page: number;
  pages: number;
}

const KEY_WIDTH = 28;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const HEADING = { user: "User", resource: "Resource", day: "Day" };
const NOUN = { user: "user", resource: "resource", day: "day" };

/** The rows of one page (a page past the end shows the last). */
export function usagePage(view: UsageView, page: number): UsagePage {
  const pages = Math.max(1, Math.ceil(view.rows.length / USAGE_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const start = (current - 1) * USAGE_PAGE_SIZE;
  return { rows: view.rows.slice(start, start + USAGE_PAGE_SIZE), page: current, pages };
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Text for a monospace table: one line, no backticks (they would end the code block), clipped. */
function cell(text: string, width: number): string {
  const flat = Array.from(text.replace(/[\s\p{Cc}]+/gu, " ").replace(/`/g, "'"));
  return flat.length <= width ? flat.join("") : `${flat.slice(0, width - 1).join("")}…`;
}

function keyOf(view: UsageView, row: Row, names: Map<string, Person | null>): string {
  if (view.by === "user") return `@${names.get(row.key)?.name ?? row.key}`;
  if (view.by === "day") return `${row.key} ${WEEKDAYS[new Date(Date.parse(row.key)).getUTCDay()]}`;
  return row.key;
}

function share(tokens: number, total: number): string {
  return total === 0 ? "–" : `${((tokens / total) * 100).toFixed(1)}%`;
}

/**
 * The table as monospace lines: key, tokens, events, share, and a totals row. Padding counts
 * characters, so a name with wide characters may sit a little off; the numbers stay aligned.
 */
function tableLines(view: UsageView, shown: Row[], names: Map<string, Person | null>): string[] {
  const events = view.rows.reduce((sum, r) => sum + r.events, 0);
  const keys = shown.map((r) => cell(keyOf(view, r, names), KEY_WIDTH));
  const keyWidth = Math.max(
    HEADING[view.by].length,
    "Total".length,
    ...keys.map((k) => Array.from(k).length),
  );
  const columns = [
    ["Tokens", ...shown.map((r) => count(r.tokens)), count(view.total)],
    ["Events", ...shown.map((r) => count(r.events)), count(events)],
    ["Share", ...shown.map((r) => share(r.tokens, view.total)), view.total === 0 ? "–" : "100.0%"],
  ];
  const widths = columns.map((c) => Math.max(...c.map((v) => v.length)));
  const line = (key: string, i: number) =>
    [
      key.padEnd(keyWidth + (key.length - Array.from(key).length)),
      ...columns.map((c, j) => c[i].padStart(widths[j])),
    ].join("  ");
  const rule = "-".repeat(keyWidth + widths.reduce((sum, w) => sum + w + 2, 0));
  return [
    line(HEADING[view.by], 0),
    rule,
    ...keys.map((key, i) => line(key, i + 1)),
    rule,
    line("Total", shown.length + 1),
  ];
}

/** Code blocks of at most one section each: escaped text can grow, and a section holds 3,000. */
function codeSections(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length) blocks.push(section(`\`\`\`\n${chunk.join("\n")}\n\`\`\``));
    chunk = [];
  };
  for (const raw of lines) {
    const text = escapeText(raw);
    if ([...chunk, text].join("\n").length > LIMITS.section - 10) flush();
    chunk.push(text);
  }
  flush();
  return blocks;
}

/** "your own usage", "<@U>'s usage", "everyone's usage in Platform and its sub-teams". */
function whose(view: UsageView, viewerId: string): string {
  if (view.userId === null) return `everyone's usage in ${escapeText(view.team.name)} and its sub-teams`;
  return view.userId === viewerId ? "your own usage" : `${mention(view.userId)}'s usage`;
}

/** The command that shows `page` of the same report (same dates, even when the clock moves on). */
function pageCommand(view: UsageView, page: number): string {
  const user = view.userId === null ? "" : ` ${mention(view.userId)}`;
  return `usage ${commandName(view.team.name)}${user} from=${view.from} to=${view.to} by=${view.by} page=${page}`;
}

/** `/team usage`: a monospace table of one page with totals for the whole report, and Previous/Next. */
export function usageReply(
  view: UsageView,
  shown: UsagePage,
  names: Map<string, Person | null>,
  viewerId: string,
): Reply {
  const team = escapeText(view.team.name);
  const span = `${view.from} to ${view.to}`;
  const events = view.rows.reduce((sum, r) => sum + r.events, 0);
  if (view.rows.length === 0) {
    const text = `No usage in ${team} from ${span} (${whose(view, viewerId)}).`;
    return { text, blocks: [section(text)] };
  }
  const blocks: KnownBlock[] = [
    section(`*Usage in ${team}* · ${span} · by ${view.by} · ${whose(view, viewerId)}`),
    ...codeSections(tableLines(view, shown.rows, names)),
    context(
      `Page ${shown.page} of ${shown.pages} · ${plural(view.rows.length, NOUN[view.by])} · ` +
        `${count(view.total)} tokens in ${plural(events, "event")}`,
    ),
  ];
  const pager = [];
  if (shown.page > 1) {
    pager.push(button("◀ Previous", "team_page:previous", pageCommand(view, shown.page - 1)));
  }
  if (shown.page < shown.pages) {
    pager.push(button("Next ▶", "team_page:next", pageCommand(view, shown.page + 1)));
  }
  if (pager.length) blocks.push(actions("usage_pager", pager));
  return {
    text: `Usage in ${team} from ${span} by ${view.by}: ${count(view.total)} tokens in ${plural(events, "event")}.`,
    blocks,
  };
}
