import type { KnownBlock } from "@slack/types";
import type { LimitPeriod } from "../../../entities";
import type { Digest, DigestMember } from "../../services/digest.service";
import { commandName, mention, section } from "./common";

// The digest's wording, shared by the message and the replies around it: numbers, dates, rows.

// A section holds 3,000 characters; leave room for the clip marker.
const SECTION_BUDGET = 2_900;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
export const PER: Record<LimitPeriod, string> = {
  none: "in all",
  daily: "a day",
  weekly: "a week",
  monthly: "a month",
};

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function percent(p: number): string {
  return p > 0 && p < 1 ? "<1%" : `${Math.round(p)}%`;
}

/** "Thu 10 Mar" for 2005-03-10 (a local date: already in TIMEZONE). */
export function dayLabel(day: string, year = false): string {
  const [y, m, d] = day.split("-").map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${d} ${MONTHS[m - 1]}${year ? ` ${y}` : ""}`;
}

/** "7 – 13 Mar 2005", "28 Feb – 6 Mar 2005", "27 Dec 2004 – 2 Jan 2005". */
export function periodLabel(days: string[]): string {
  const [first, last] = [days[0], days[days.length - 1]].map((d) => d.split("-").map(Number));
  const end = `${last[2]} ${MONTHS[last[1] - 1]} ${last[0]}`;
  if (days.length === 1) return end;
  if (first[0] !== last[0]) return `${first[2]} ${MONTHS[first[1] - 1]} ${first[0]} – ${end}`;
  if (first[1] !== last[1]) return `${first[2]} ${MONTHS[first[1] - 1]} – ${end}`;
  return `${first[2]} – ${end}`;
}

export function when(digest: Digest): { week: string; previous: string } {
  return digest.period.partial
    ? { week: "this week so far", previous: "the same days last week" }
    : { week: "this week", previous: "the week before" };
}

/** "▲ 366% from 3,200 the week before", "no usage the week before". */
export function changeText(digest: Digest): string {
  const { previous } = when(digest);
  if (digest.change === null) return `no usage ${previous}`;
  const arrow = digest.change > 0 ? "▲" : digest.change < 0 ? "▼" : "=";
  const by = digest.change === 0 ? "" : ` ${percent(Math.abs(digest.change))}`;
  return `${arrow}${by} from ${count(digest.previousTotal)} ${previous}`;
}

export function limitMark(p: number): string {
  return p >= 100 ? " :red_circle:" : p >= 80 ? " :large_orange_circle:" : "";
}

/** "113% of 8,000 a week", "90% of 1,000 a day (Thu 10 Mar)", "82% of 5,000 a month (4,100 so far)". */
export function limitText(member: DigestMember): string {
  const limit = member.limit;
  if (!limit) return "";
  const base = `${percent(limit.percent)} of ${count(limit.totalMax)} ${PER[limit.period]}`;
  if (limit.period === "weekly") return base;
  if (limit.period === "daily") return limit.day ? `${base} (busiest: ${dayLabel(limit.day)})` : base;
  return `${base} (${count(limit.used)} so far)`;
}

export function memberLine(member: DigestMember, rank: number): string {
  const status =
    member.status === "inactive"
      ? " _(inactive)_"
      : member.status === "former"
        ? " _(no longer in the team)_"
        : "";
  const limit = member.limit ? ` · ${limitText(member)}${limitMark(member.limit.percent)}` : "";
  return `${rank}. ${mention(member.userId)} — *${count(member.tokens)}*${limit}${status}`;
}

/** Lines joined into as few sections as fit Slack's 3,000 characters each. */
export function sections(title: string, lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let text = title;
  for (const line of lines) {
    if (text.length + line.length + 1 > SECTION_BUDGET) {
      blocks.push(section(text));
      text = "";
    }
    text = text ? `${text}\n${line}` : line;
  }
  if (text) blocks.push(section(text));
  return blocks;
}

/** The command that lists every member's spend for the digest's week, a page at a time. */
export function membersCommand(digest: Digest, page = 1): string {
  return `digest ${commandName(digest.team.name)} members week=${digest.period.key}${page > 1 ? ` page=${page}` : ""}`;
}
