import type { KnownBlock } from "@slack/types";
import type { AuditDetails, AuditEventEntity } from "../../../entities";
import type { ActivityPage } from "../../services/audit.service";
import type { Reply } from "../reply";
import { actions, button, context, escapeText, header, mention, plural, section, slackDate } from "./common";
import { commandArg, packLines, settingChanges, type TeamSettingsView } from "./team-admin.blocks";

export interface ActivityQuery {
  team: string;
  sinceDays: number;
  limit?: number;
}

/** `/team activity`: one row per event, newest first, a page at a time. */
export function activityReply(teamName: string, page: ActivityPage, query: ActivityQuery): Reply {
  const window = `the last ${plural(query.sinceDays, "day")}`;
  if (page.total === 0) {
    const hint = query.sinceDays < 3650 ? " Look further back with `since=30d` or more." : "";
    return {
      text: `No activity in ${teamName} in ${window}.`,
      blocks: [section(`No activity in *${escapeText(teamName)}* in ${window}.${hint}`)],
    };
  }
  const rows = page.events.map(
    (e) => `${slackDate(e.createdAt, "{date_short} {time}")} · ${mention(e.actorUserId)} ${describeEvent(e)}`,
  );
  const { sections, shown } = packLines(rows, 40);
  const blocks: KnownBlock[] = [header(`Activity in ${teamName}`), ...sections.map((s) => section(s))];
  const cut = shown < rows.length ? ` · ${plural(rows.length - shown, "row")} cut to fit` : "";
  blocks.push(
    context(
      `Page ${page.page} of ${page.pages} · ${plural(page.total, "event")} in ${window}, newest first${cut}`,
    ),
  );
  const base = [`activity ${commandArg(teamName)}`, `since=${query.sinceDays}d`];
  if (query.limit !== undefined) base.push(`limit=${query.limit}`);
  const pager = [];
  if (page.page > 1)
    pager.push(button("◀ Newer", "team_page:previous", `${base.join(" ")} page=${page.page - 1}`));
  if (page.page < page.pages)
    pager.push(button("Older ▶", "team_page:next", `${base.join(" ")} page=${page.page + 1}`));
  if (pager.length) blocks.push(actions("pager", pager));
  return {
    text: `${plural(page.total, "event")} in ${teamName} in ${window}, page ${page.page} of ${page.pages}.`,
    blocks,
  };
}

function text(details: AuditDetails | null, key: string): string | null {
  const value = details?.[key];
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(", ");
  return typeof value === "object" ? null : String(value);
}

function code(value: string | null): string {
  return `\`${escapeText((value ?? "?").replace(/`/g, "'"))}\``;
}

/** A team snapshot from the audit trail, in the terms `settingChanges` compares (parent aside). */
function snapshotSettings(details: AuditDetails | null): Partial<TeamSettingsView> {
  const metadata = details?.metadata;
  return {
    name: text(details, "name") ?? undefined,
    description: text(details, "description") ?? undefined,
    channelId: details && "channelId" in details ? text(details, "channelId") : undefined,
    visibility: text(details, "visibility") ?? undefined,
    joinPolicy: text(details, "joinPolicy") ?? undefined,
    resourceSharing: text(details, "resourceSharing") ?? undefined,
    metadata: metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata : {},
  };
}

/** The settings change an update made, in words; the audit keeps parent ids, not names. */
function settingsUpdate(before: AuditDetails | null, after: AuditDetails | null): string {
  const changes = settingChanges(snapshotSettings(before), snapshotSettings(after));
  const [was, now] = [before?.parentId ?? null, after?.parentId ?? null];
  if (was !== now) {
    changes.push(
      now === null
        ? "made it top-level"
        : was === null
          ? "moved it under a parent team"
          : "moved it under another team",
    );
  }
  return changes.length ? `updated settings: ${changes.join(", ")}` : "saved the settings unchanged";
}

/** One audit event as a phrase after the actor's name: "changed <@U2>'s role from member to admin". */
export function describeEvent(
  event: Pick<AuditEventEntity, "action" | "targetType" | "targetId" | "before" | "after">,
): string {
  const { before, after } = event;
  const who = event.targetType === "user" ? mention(event.targetId) : code(event.targetId);
  const role = text(after, "role");
  switch (event.action) {
    case "team.created":
      return "created the team";
    case "team.updated":
      return settingsUpdate(before, after);
    case "team.deleted":
      return "deleted the team";
    case "team.transferred": {
      const from = text(before, "ownerId");
      const to = text(after, "ownerId");
      return `handed ownership${from ? ` from ${mention(from)}` : ""} to ${to ? mention(to) : "someone else"}`;
    }
    case "member.added":
      return `added ${who}${role ? ` as ${role}` : ""}`;
    case "member.joined":
      return `joined${role ? ` as ${role}` : ""}`;
    case "member.left":
      return "left the team";
    case "member.removed":
      return `removed ${who}`;
    case "member.role_changed":
      return `changed ${who}'s role from ${text(before, "role") ?? "?"} to ${role ?? "?"}`;
    case "member.deactivated":
      return `deactivated ${who}`;
    case "member.reactivated":
      return `reactivated ${who}`;
    case "member.moved_out":
      return `moved ${who} to another team`;
    case "member.moved_in":
      return `moved ${who} in from another team${role ? `, as ${role}` : ""}`;
    case "grant.added":
      return `granted ${code(event.targetId)} to every member`;
    case "grant.removed":
      return `revoked ${code(event.targetId)} from the team`;
    case "resource.shared":
      return `shared ${code(event.targetId)} (${escapeText(text(after, "permissions") ?? "")})`;
    case "resource.reshared":
      return `changed ${code(event.targetId)} from ${escapeText(text(before, "permissions") ?? "?")} to ${escapeText(text(after, "permissions") ?? "?")}`;
    case "resource.unshared":
      return `stopped sharing ${code(event.targetId)}`;
    case "invitation.created":
      return `invited ${person(event.targetId)}${role ? ` as ${role}` : ""}`;
    case "invitation.resent":
      return `sent ${person(event.targetId)}'s invitation again`;
    case "invitation.accepted":
      return "accepted an invitation and joined";
    case "invitation.declined":
      return "declined an invitation";
    case "invitation.revoked":
      return `revoked ${person(event.targetId)}'s invitation`;
    case "invitation.expired":
      return `let ${person(event.targetId)}'s invitation expire`;
    case "request.created":
      return event.targetType === "join_request"
        ? "asked to join"
        : `asked for a total limit of ${tokens(after, "total")}`;
    case "request.approved":
    case "request.denied": {
      const verb = event.action === "request.approved" ? "approved" : "denied";
      const what = event.targetType === "join_request" ? "request to join" : "request for a higher limit";
      return `${verb} ${mention(event.targetId)}'s ${what}`;
    }
    case "request.escalated":
      return `escalated ${mention(event.targetId)}'s request to ${escapeText(text(after, "to") ?? "the org admins")}`;
    case "limit.set":
    case "limit.removed":
      return limitChange(event);
    case "key.created":
      return `created the API key ${code(event.targetId)}`;
    case "key.revoked":
      return `revoked the API key ${code(event.targetId)}`;
    case "sync.started":
      return `started keeping ${code(event.targetId)} and the channel in step with the members`;
    case "sync.changed": {
      const from = text(before, "handle");
      return from && `@${from}` !== event.targetId
        ? `changed the synced user group from ${code(`@${from}`)} to ${code(event.targetId)}`
        : `changed which channel is kept in step with the members, with ${code(event.targetId)}`;
    }
    case "sync.stopped":
      return `stopped keeping ${code(event.targetId)} and the channel in step`;
    default:
      // Events from features this version doesn't describe yet still read as something.
      return `${escapeText(event.action.replace(/[._]/g, " "))} ${who}`;
  }
}

/** A Slack user shows as a mention; an invitation by email shows the address. */
function person(target: string): string {
  return /^[UW][A-Z0-9]+$/.test(target) ? mention(target) : escapeText(target);
}

function tokens(details: AuditEventEntity["after"], key: string): string {
  const value = details?.[key];
  return typeof value === "number" ? `${value.toLocaleString("en-US")} tokens` : "more tokens";
}

/** "set @bob's limit: 1,000 tokens a day" / "removed the team's budget". */
function limitChange(event: Pick<AuditEventEntity, "action" | "targetType" | "targetId" | "after">): string {
  const whose =
    event.targetType === "member_limit"
      ? `${mention(event.targetId)}'s limit`
      : event.targetType === "budget_limit"
        ? "the team's budget"
        : "the default limit per member";
  if (event.action === "limit.removed") return `removed ${whose}`;
  const after = event.after ?? {};
  const per =
    { none: "", daily: " a day", weekly: " a week", monthly: " a month" }[String(after.period)] ?? "";
  const parts = [
    typeof after.totalMax === "number" ? `${after.totalMax.toLocaleString("en-US")} tokens${per}` : "",
    typeof after.transactionMax === "number"
      ? `at most ${after.transactionMax.toLocaleString("en-US")} a request`
      : "",
  ].filter(Boolean);
  return `set ${whose}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}
