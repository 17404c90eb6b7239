import type { KnownBlock } from "@slack/types";
import type { TeamEntity } from "../../../entities";
import { InvalidInput } from "../../domain/errors";
import type { Person } from "../people";
import { type Reply, textReply } from "../reply";
import {
  actions,
  button,
  commandName,
  context,
  escapeText,
  header,
  mention,
  plural,
  section,
  slackDate,
} from "./common";

/** What a members list shows of one membership. */
export interface MemberRow {
  userId: string;
  status: "active" | "inactive";
  joinedAt: number;
  role: { name: string };
}

export interface MembersPage {
  team: TeamEntity;
  /** This page's members. */
  members: MemberRow[];
  total: number;
  page: number;
  pages: number;
  /** Slack's profiles of this page's members; null for someone Slack doesn't know. */
  people: Map<string, Person | null>;
  filter: { role?: string; status?: string };
}

// A section holds 3,000 characters; leave room for the clip marker.
const SECTION_BUDGET = 2_900;

/** `/team members`: one row per member (name, email, role, status, joined), a page at a time. */
export function membersReply(page: MembersPage): Reply {
  const { team, filter } = page;
  const filters = [filter.role && `role ${filter.role}`, filter.status].filter(Boolean).join(", ");
  if (page.total === 0) {
    const text = `No members of ${team.name} match${filters ? ` (${filters})` : ""}.`;
    return { text, blocks: [section(escapeText(text))] };
  }
  const rows = page.members.map((m) => memberLine(m, page.people.get(m.userId) ?? null));
  const blocks: KnownBlock[] = [
    header(`Members of ${team.name}`),
    ...chunk(rows).map((text) => section(text)),
    context(
      `Page ${page.page} of ${page.pages} · ${plural(page.total, "member")}${filters ? ` · ${escapeText(filters)}` : ""}`,
    ),
  ];
  const pager = pagerButtons(page);
  if (pager) blocks.push(pager);
  return {
    text: `${team.name}: ${plural(page.total, "member")}, page ${page.page} of ${page.pages}.`,
    blocks,
  };
}

function memberLine(member: MemberRow, person: Person | null): string {
  const who = person
    ? `*${escapeText(person.name)}*${person.deleted ? " (account deactivated in Slack)" : ""}`
    : mention(member.userId);
  const email = person?.email ? escapeText(person.email) : "no email";
  const status = member.status === "active" ? "active" : "_inactive_";
  return `• ${who} · ${email} · ${escapeText(member.role.name)} · ${status} · joined ${slackDate(member.joinedAt)}`;
}

/** Rows joined into as few sections as fit Slack's 3,000 characters each. */
function chunk(rows: string[]): string[] {
  const chunks: string[] = [];
  for (const row of rows) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + row.length + 1 <= SECTION_BUDGET) {
      chunks[chunks.length - 1] = `${last}\n${row}`;
    } else chunks.push(row);
  }
  return chunks;
}

function pagerButtons(page: MembersPage) {
  const parts = ["members", commandName(page.team.name)];
  if (page.filter.role) parts.push(`role=${page.filter.role}`);
  if (page.filter.status) parts.push(`status=${page.filter.status}`);
  const base = parts.join(" ");
  const buttons = [];
  if (page.page > 1)
    buttons.push(button("◀ Previous", "team_page:previous", `${base} page=${page.page - 1}`));
  if (page.page < page.pages)
    buttons.push(button("Next ▶", "team_page:next", `${base} page=${page.page + 1}`));
  return buttons.length ? actions("pager", buttons) : undefined;
}

/** "<@A>", "<@A> and <@B>", "<@A>, <@B> and <@C>". */
export function people(users: string[]): string {
  const mentions = users.map(mention);
  return mentions.length < 2
    ? mentions.join("")
    : `${mentions.slice(0, -1).join(", ")} and ${mentions[mentions.length - 1]}`;
}

function teamName(team: TeamEntity): string {
  return `*${escapeText(team.name)}*`;
}

/** A reply of a few sentences, with a plain-text fallback. */
function sentences(icon: string, ...parts: (string | false | null | undefined)[]): Reply {
  const text = parts.filter(Boolean).join(" ");
  return { ...textReply(`${icon} ${text}`), text: text.replace(/\*/g, "") };
}

/** Lines grouped by what happens to whom: "• admin → member: <@A>, <@B>". */
function grouped(rows: { user: string; label: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const { user, label } of rows) groups.set(label, [...(groups.get(label) ?? []), user]);
  return [...groups].map(([label, users]) => `• ${label}: ${users.map(mention).join(", ")}`);
}

/**
 * A preview's summary, which must show every person in full: one that wouldn't fit in a section is
 * refused rather than cut short.
 */
function previewSummary(title: string, lines: string[], count: number): string {
  const summary = [title, ...lines, "Nothing changes until you press Confirm."].join("\n");
  if (summary.length > SECTION_BUDGET) {
    throw new InvalidInput(
      `That names ${plural(count, "person", "people")}, too many to show before confirming; split it into smaller commands.`,
    );
  }
  return summary;
}

export function addedReply(team: TeamEntity, role: string, added: string[], already: string[]): Reply {
  return sentences(
    ":white_check_mark:",
    `Added ${people(added)} to ${teamName(team)} as ${escapeText(role)}.`,
    already.length > 0 && `${people(already)} ${already.length === 1 ? "was" : "were"} already in.`,
  );
}

export function rolePreview(team: TeamEntity, rows: { user: string; from: string }[], to: string): string {
  const lines = grouped(
    rows.map(({ user, from }) => ({ user, label: from === to ? `already ${to}` : `${from} → ${to}` })),
  );
  return previewSummary(`:warning: Change roles in ${teamName(team)}:`, lines, rows.length);
}

export function roleChangedReply(
  team: TeamEntity,
  role: string,
  changed: string[],
  unchanged: string[],
): Reply {
  if (changed.length === 0) {
    return sentences(
      ":information_source:",
      `Nothing to change: ${people(unchanged)} ${unchanged.length === 1 ? "is" : "are"} already ${escapeText(role)} in ${teamName(team)}.`,
    );
  }
  return sentences(
    ":white_check_mark:",
    `${people(changed)} ${changed.length === 1 ? "is" : "are"} now ${escapeText(role)} in ${teamName(team)}.`,
    unchanged.length > 0 &&
      `${people(unchanged)} ${unchanged.length === 1 ? "was" : "were"} already ${escapeText(role)}.`,
  );
}

export function removePreview(team: TeamEntity, rows: { user: string; role: string }[]): string {
  const lines = grouped(rows.map(({ user, role }) => ({ user, label: role })));
  return previewSummary(`:warning: Remove from ${teamName(team)}:`, lines, rows.length);
}

export function removedReply(team: TeamEntity, removed: string[], gone: string[]): Reply {
  if (removed.length === 0) {
    return sentences(
      ":information_source:",
      `Nothing left to remove: ${people(gone)} ${gone.length === 1 ? "is" : "are"} no longer in ${teamName(team)}.`,
    );
  }
  return sentences(
    ":white_check_mark:",
    `Removed ${people(removed)} from ${teamName(team)}.`,
    gone.length > 0 && `${people(gone)} ${gone.length === 1 ? "was" : "were"} no longer in it.`,
  );
}

export function deactivatePreview(team: TeamEntity, rows: { user: string; status: string }[]): string {
  const lines = grouped(
    rows.map(({ user, status }) => ({
      user,
      label: status === "inactive" ? "already inactive" : "active → inactive",
    })),
  );
  return previewSummary(
    `:warning: Deactivate in ${teamName(team)} (they stay listed but hold no permissions):`,
    lines,
    rows.length,
  );
}

export function statusChangedReply(
  team: TeamEntity,
  status: "active" | "inactive",
  changed: string[],
  unchanged: string[],
): Reply {
  const word = status === "active" ? "active" : "inactive";
  if (changed.length === 0) {
    return sentences(
      ":information_source:",
      `Nothing to change: ${people(unchanged)} ${unchanged.length === 1 ? "is" : "are"} already ${word} in ${teamName(team)}.`,
    );
  }
  return sentences(
    ":white_check_mark:",
    `${status === "active" ? "Reactivated" : "Deactivated"} ${people(changed)} in ${teamName(team)}.`,
    unchanged.length > 0 &&
      `${people(unchanged)} ${unchanged.length === 1 ? "was" : "were"} already ${word}.`,
  );
}

export function movePreview(
  from: TeamEntity,
  to: TeamEntity,
  rows: { user: string; fromRole: string; toRole: string }[],
): string {
  const lines = grouped(
    rows.map(({ user, fromRole, toRole }) => ({
      user,
      label: `${fromRole} in ${escapeText(from.name)} → ${toRole} in ${escapeText(to.name)}`,
    })),
  );
  return previewSummary(`:warning: Move from ${teamName(from)} to ${teamName(to)}:`, lines, rows.length);
}

export function movedReply(
  from: TeamEntity,
  to: TeamEntity,
  moved: { user: string; role: string }[],
  already: string[],
): Reply {
  if (moved.length === 0) {
    return sentences(
      ":information_source:",
      `Nothing left to move: ${people(already)} ${already.length === 1 ? "is" : "are"} already in ${teamName(to)}.`,
    );
  }
  const roles = moved.map(({ user, role }) => `${mention(user)} (${escapeText(role)})`);
  return sentences(
    ":white_check_mark:",
    `Moved ${roles.join(", ")} from ${teamName(from)} to ${teamName(to)}.`,
    already.length > 0 && `${people(already)} ${already.length === 1 ? "was" : "were"} already there.`,
  );
}

export function transferredReply(team: TeamEntity, newOwner: string, oldOwner: string | null): Reply {
  return sentences(
    ":white_check_mark:",
    `${mention(newOwner)} now owns ${teamName(team)}.`,
    oldOwner && `${mention(oldOwner)} is now an admin.`,
  );
}
