import type { TeamEntity } from "../../entities";
import { Conflict } from "../domain/errors";
import type { SyncTarget } from "../services/team-sync.service";
import type { ChannelChanges, UserGroup, UserGroups } from "./team-sync-calls";

/*
 * What `/team sync` will do (read from Slack before anything changes) and what it did: the shapes
 * the command's preview and reply show, and the one decision about the user group.
 */

export type NoGroups = { kind: "none"; reason: "plan" | "permission" };

export type GroupPlan =
  | NoGroups
  | { kind: "create"; handle: string }
  | { kind: "existing"; group: UserGroup; handle: string; add: string[]; remove: string[] };

export interface ChannelPlan {
  id: string;
  invite: string[];
  remove: string[];
  /** Why nobody else is removed from this channel: Slack won't (#general), or they aren't ours. */
  keepsOthers: "general" | "external" | null;
}

/** What `/team sync` will do, read from Slack before anything changes. */
export interface SyncPlan {
  target: SyncTarget;
  group: GroupPlan;
  channel: ChannelPlan | null;
}

export type GroupOutcome =
  | NoGroups
  | {
      kind: "synced";
      handle: string;
      created: boolean;
      enabled: boolean;
      handleChangedFrom: string | null;
      users: "updated" | "unchanged" | "empty";
    };

export interface SyncOutcome extends ChannelChanges {
  plan: SyncPlan;
  group: GroupOutcome;
}

/**
 * What to do with the team's user group: none (the workspace has none Roster may use), create one,
 * or bring the existing one in step. A group Roster made for this handle whose record was lost (a
 * crash between creating it and saving) is taken back; anyone else's group is never taken over.
 */
export function planGroup(target: SyncTarget, groups: UserGroups, botUserId: string): GroupPlan {
  if (!groups.available) return { kind: "none", reason: groups.reason };
  const { handle, members } = target;
  const mine = target.sync?.usergroupId ? groups.byId.get(target.sync.usergroupId) : undefined;
  const holder = groups.all.find((g) => g.handle === handle && g.id !== mine?.id);
  if (holder && (mine || holder.createdBy !== botUserId)) {
    throw new Conflict(
      `Slack already has a user group @${handle} (“${holder.name}”); choose another handle with ${again(target.team)}.`,
      "handle",
    );
  }
  const group = mine ?? holder;
  if (!group) return { kind: "create", handle };
  const inGroup = new Set(group.users);
  const wanted = new Set(members);
  return {
    kind: "existing",
    group,
    handle,
    add: members.filter((u) => !inGroup.has(u)),
    remove: group.users.filter((u) => !wanted.has(u)),
  };
}

export function noGroupsReason(reason: "plan" | "permission"): string {
  return reason === "plan"
    ? "this workspace's Slack plan has no user groups (they come with Slack's paid plans)"
    : "Slack's settings don't let Roster manage user groups here (a workspace admin can allow it under Settings → Permissions → User Groups)";
}

export function quoted(name: string): string {
  return /\s/.test(name) ? `"${name}"` : name;
}

export function again(team: TeamEntity): string {
  return `/team sync ${quoted(team.name)} handle=<name>`;
}
