import type { KnownBlock } from "@slack/types";
import type { TeamEntity } from "../../../entities";
import type { TeamDetails, TeamTreeNode } from "../../services/team.service";
import type { Reply } from "../reply";
import { channelLink, clip, context, escapeText, plural, section } from "./common";

/** The settings `/team set` and the edit form change, as the user names them. */
export interface TeamSettingsView {
  name: string;
  description: string;
  /** The parent team's name; null for a top-level team. */
  parent: string | null;
  channelId: string | null;
  visibility: string;
  joinPolicy: string;
  resourceSharing: string;
  metadata: Record<string, string>;
}

export function settingsView(team: TeamEntity, parentName: string | null): TeamSettingsView {
  return { ...team, parent: parentName };
}

// Sections hold 3,000 characters; leave room for the clip marker.
const SECTION_CHARS = 2900;
const TREE_SECTIONS = 10;
const TREE_MAX_INDENT = 12;

/**
 * A team argument ready to paste into a command: bare when it is one plain word, otherwise quoted,
 * with the quotes and backslashes the grammar would read escaped.
 */
export function commandArg(name: string): string {
  if (/^[^\s"'“”„‘’\\=<]+$/.test(name)) return name;
  return `"${name.replace(/[\\"“”„'‘’]/g, "\\$&")}"`;
}

/** Lines packed into as few sections as fit Slack's 3,000 characters each. */
export function packLines(lines: string[], maxSections: number): { sections: string[]; shown: number } {
  const sections: string[] = [];
  let shown = 0;
  for (const raw of lines) {
    const line = clip(raw, SECTION_CHARS);
    const last = sections.at(-1);
    if (last !== undefined && last.length + line.length + 1 <= SECTION_CHARS) {
      sections[sections.length - 1] = `${last}\n${line}`;
    } else if (sections.length < maxSections) {
      sections.push(line);
    } else break;
    shown++;
  }
  return { sections, shown };
}

/** `/team tree`: the team and its visible descendants, indented, cut to fit one message. */
export function teamTreeReply(tree: TeamTreeNode): Reply {
  const lines: string[] = [];
  const walk = (node: TeamTreeNode, depth: number) => {
    const name = escapeText(node.team.name);
    if (depth === 0) lines.push(`*${name}*`);
    else {
      const indent = "\u2003".repeat(Math.min(depth - 1, TREE_MAX_INDENT));
      const deeper = depth - 1 > TREE_MAX_INDENT ? `(level ${depth}) ` : "";
      lines.push(`${indent}• ${deeper}${name}`);
    }
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(tree, 0);
  const descendants = lines.length - 1;
  const { sections, shown } = packLines(lines, TREE_SECTIONS);
  const blocks: KnownBlock[] = sections.map((text) => section(text));
  const summary =
    descendants === 0
      ? `${tree.team.name} has no sub-teams you can see.`
      : `${tree.team.name} and ${plural(descendants, "sub-team")}.`;
  if (shown < lines.length) {
    blocks.push(
      context(
        `…and ${plural(lines.length - shown, "more team")} not shown. \`/team tree <sub-team>\` shows one branch.`,
      ),
    );
  } else if (descendants === 0) {
    blocks.push(
      context(
        `No sub-teams you can see. \`/team create <name> parent=${commandArg(tree.team.name)}\` adds one.`,
      ),
    );
  } else {
    blocks.push(context(plural(descendants, "sub-team")));
  }
  return { text: summary, blocks };
}

const SETTING_LABELS: [key: keyof Omit<TeamSettingsView, "metadata">, label: string][] = [
  ["name", "name"],
  ["description", "description"],
  ["parent", "parent"],
  ["channelId", "channel"],
  ["joinPolicy", "policy"],
  ["visibility", "visibility"],
  ["resourceSharing", "sharing"],
];

function display(key: string, value: string | null): string {
  if (key === "channelId") return value ? channelLink(value) : "none";
  if (value === null) return "none";
  if (value === "") return "(empty)";
  return escapeText(clip(value.replace(/\s+/g, " "), 60));
}

/**
 * What differs between two versions of a team's settings, one phrase each
 * ("visibility organization → private", "meta.costCenter removed"). Keys missing from
 * `before` or `after` (an audit snapshot may lack the parent's name) are skipped.
 */
export function settingChanges(
  before: Partial<TeamSettingsView>,
  after: Partial<TeamSettingsView>,
): string[] {
  const changes: string[] = [];
  for (const [key, label] of SETTING_LABELS) {
    const [was, now] = [before[key], after[key]];
    if (was === undefined || now === undefined || was === now) continue;
    changes.push(`${label} ${display(key, was)} → ${display(key, now)}`);
  }
  const [was, now] = [before.metadata ?? {}, after.metadata ?? {}];
  for (const key of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
    const label = `meta.${escapeText(key)}`;
    if (!Object.hasOwn(now, key)) changes.push(`${label} removed (was ${display("meta", was[key])})`);
    else if (!Object.hasOwn(was, key)) changes.push(`${label} set to ${display("meta", now[key])}`);
    else if (was[key] !== now[key])
      changes.push(`${label} ${display("meta", was[key])} → ${display("meta", now[key])}`);
  }
  return changes;
}

/** The answer to `/team set` and to a saved edit form: what changed, before → after. */
export function teamUpdatedReply(before: TeamSettingsView, after: TeamSettingsView): Reply {
  const changes = settingChanges(before, after);
  const name = escapeText(after.name);
  if (changes.length === 0) {
    return {
      text: `Nothing changed: ${after.name} already had those settings.`,
      blocks: [section(`Nothing changed: *${name}* already had those settings.`)],
    };
  }
  const { sections, shown: listed } = packLines(
    changes.map((c) => `• ${c}`),
    5,
  );
  const blocks: KnownBlock[] = [
    section(`:white_check_mark: Updated *${name}*:`),
    ...sections.map((s) => section(s)),
  ];
  if (listed < changes.length)
    blocks.push(context(`…and ${plural(changes.length - listed, "more change")}.`));
  blocks.push(context(`\`/team info ${commandArg(after.name)}\` shows every setting.`));
  return { text: `Updated ${after.name}: ${changes.join(", ")}.`.slice(0, 3000), blocks };
}

/** The Confirm/Cancel summary shown before `/team delete` does anything. */
export function teamDeleteSummary(
  details: TeamDetails,
  members: { total: number; inactive: number },
  access: { grants: number; resources: number },
): string {
  const parts = [
    members.inactive
      ? `its ${plural(members.total, "member")} (${members.inactive} deactivated)`
      : `its ${plural(members.total, "member")}`,
    plural(access.grants, "granted permission"),
    plural(access.resources, "shared resource"),
  ];
  return (
    `:warning: Delete *${escapeText(details.team.name)}* and ${parts.join(", ")}, along with its ` +
    `invitations, join requests, limits, usage and API keys? This can't be undone.`
  );
}

export function teamDeletedReply(team: TeamEntity): Reply {
  const text = `Deleted ${team.name}.`;
  return { text, blocks: [section(`:wastebasket: Deleted *${escapeText(team.name)}*.`)] };
}

export function joinedReply(team: TeamEntity): Reply {
  return {
    text: `You joined ${team.name}.`,
    blocks: [
      section(`:white_check_mark: You joined *${escapeText(team.name)}* as a member.`),
      context(`\`/team info ${commandArg(team.name)}\` · \`/team leave ${commandArg(team.name)}\``),
    ],
  };
}

export function leftReply(team: TeamEntity): Reply {
  return { text: `You left ${team.name}.`, blocks: [section(`:wave: You left *${escapeText(team.name)}*.`)] };
}
