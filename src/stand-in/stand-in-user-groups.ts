import { fail, flag, idList, ok, str, type ApiArgs, type ApiHandler, type ApiResult } from "./stand-in-args";
import { STAND_IN_BOT_USER_ID } from "./slack-objects";

export interface StandInUserGroup {
  id: string;
  name: string;
  handle: string;
  description: string;
  users: string[];
  channels: string[];
  enabled: boolean;
  /** Who made it: the app's bot for usergroups.create, a person for a group made in Slack itself. */
  createdBy: string;
  dateCreate: number;
  dateUpdate: number;
}

/** The part of the directory user groups need. */
interface GroupDirectory {
  readonly workspaceId: string;
  readonly users: ReadonlyMap<string, unknown>;
  readonly userGroups: Map<string, StandInUserGroup>;
  readonly userGroupsPlan: "paid" | "free";
}

function groupObject(
  dir: GroupDirectory,
  group: StandInUserGroup,
  withUsers: boolean,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: group.id,
    team_id: dir.workspaceId,
    is_usergroup: true,
    is_subteam: true,
    name: group.name,
    description: group.description,
    handle: group.handle,
    is_external: false,
    date_create: group.dateCreate,
    date_update: group.dateUpdate,
    date_delete: group.enabled ? 0 : group.dateUpdate,
    auto_type: null,
    created_by: group.createdBy,
    updated_by: STAND_IN_BOT_USER_ID,
    deleted_by: group.enabled ? null : STAND_IN_BOT_USER_ID,
    prefs: { channels: group.channels, groups: [] },
    user_count: group.users.length,
  };
  if (withUsers) fields.users = group.users;
  return fields;
}

/** A name or handle must be unique among user groups (Slack also checks handles against users). */
function conflict(
  dir: GroupDirectory,
  name: string | undefined,
  handle: string | undefined,
  self?: string,
): ApiResult | undefined {
  for (const group of dir.userGroups.values()) {
    if (group.id === self) continue;
    if (name !== undefined && group.name === name) return fail("name_already_exists");
    if (handle !== undefined && group.handle === handle) return fail("handle_already_exists");
  }
  return undefined;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * usergroups.*: only paid workspaces have user groups; on a free plan every method answers
 * paid_teams_only, which the app must turn into a sentence, not a crash.
 */
export function userGroupHandlers(dir: GroupDirectory): Record<string, ApiHandler> {
  const onPaidPlan =
    (handler: (args: ApiArgs) => ApiResult): ApiHandler =>
    (args) =>
      dir.userGroupsPlan === "free" ? fail("paid_teams_only") : handler(args);

  const find = (args: ApiArgs): StandInUserGroup | undefined =>
    dir.userGroups.get(str(args, "usergroup") ?? "");

  return {
    "usergroups.list": onPaidPlan((args) => {
      const groups = [...dir.userGroups.values()].filter((g) => g.enabled || flag(args, "include_disabled"));
      return ok({ usergroups: groups.map((g) => groupObject(dir, g, flag(args, "include_users"))) });
    }),
    "usergroups.create": onPaidPlan((args) => {
      const name = str(args, "name");
      if (!name) return fail("invalid_arguments");
      const handle = str(args, "handle") ?? name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      const refused = conflict(dir, name, handle);
      if (refused) return refused;
      const group: StandInUserGroup = {
        id: `S${String(dir.userGroups.size + 1).padStart(8, "0")}`,
        name,
        handle,
        description: str(args, "description") ?? "",
        users: [],
        channels: idList(args.channels),
        enabled: true,
        createdBy: STAND_IN_BOT_USER_ID,
        dateCreate: now(),
        dateUpdate: now(),
      };
      dir.userGroups.set(group.id, group);
      return ok({ usergroup: groupObject(dir, group, false) });
    }),
    "usergroups.update": onPaidPlan((args) => {
      const group = find(args);
      if (!group) return fail("no_such_subteam");
      const name = str(args, "name");
      const handle = str(args, "handle");
      const refused = conflict(dir, name, handle, group.id);
      if (refused) return refused;
      if (name !== undefined) group.name = name;
      if (handle !== undefined) group.handle = handle;
      if (args.description !== undefined) group.description = str(args, "description") ?? "";
      if (args.channels !== undefined) group.channels = idList(args.channels);
      group.dateUpdate = now();
      return ok({ usergroup: groupObject(dir, group, true) });
    }),
    "usergroups.disable": onPaidPlan((args) => setEnabled(dir, find(args), false)),
    "usergroups.enable": onPaidPlan((args) => setEnabled(dir, find(args), true)),
    // Replaces the whole member list; Slack refuses an empty one (disable the group instead).
    "usergroups.users.update": onPaidPlan((args) => {
      const group = find(args);
      if (!group) return fail("no_such_subteam");
      const users = [...new Set(idList(args.users))];
      if (users.length === 0) return fail("no_users_provided");
      if (users.some((id) => !dir.users.has(id))) return fail("invalid_users");
      group.users = users;
      group.dateUpdate = now();
      return ok({ usergroup: groupObject(dir, group, true) });
    }),
    "usergroups.users.list": onPaidPlan((args) => {
      const group = find(args);
      if (!group || (!group.enabled && !flag(args, "include_disabled"))) return fail("no_such_subteam");
      return ok({ users: group.users });
    }),
  };
}

function setEnabled(dir: GroupDirectory, group: StandInUserGroup | undefined, enabled: boolean): ApiResult {
  if (!group) return fail("no_such_subteam");
  if (group.enabled === enabled) return fail(enabled ? "already_enabled" : "already_disabled");
  group.enabled = enabled;
  group.dateUpdate = now();
  return ok({ usergroup: groupObject(dir, group, true) });
}
