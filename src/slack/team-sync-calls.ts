import type { WebClient } from "@slack/web-api";
import { Conflict, type DomainError, InvalidInput } from "../domain/errors";
import { slackError } from "./people";

/**
 * The Web API calls `/team sync` makes, each turning Slack's answer into plain data. Reads first,
 * so a sync can say what it will do (and refuse) before it changes anything.
 */

export interface UserGroup {
  id: string;
  name: string;
  handle: string;
  enabled: boolean;
  users: string[];
  createdBy: string | null;
}

/** The workspace's user groups, or why it has none Roster may use. */
export type UserGroups =
  | { available: true; byId: Map<string, UserGroup>; all: UserGroup[] }
  | { available: false; reason: "plan" | "permission" };

/** Free workspaces answer every usergroups.* call with one of these. */
const NO_USER_GROUPS = new Set(["paid_teams_only", "plan_upgrade_required"]);

export function isNoUserGroups(code: string | undefined): boolean {
  return code !== undefined && NO_USER_GROUPS.has(code);
}

/**
 * Every user group with its members, disabled ones included: one usergroups.list call (Tier 2)
 * serves every team of a sync run instead of one usergroups.users.list per team.
 */
export async function listUserGroups(client: WebClient): Promise<UserGroups> {
  try {
    const answer = await client.usergroups.list({ include_disabled: true, include_users: true });
    const all = (answer.usergroups ?? []).map((g): UserGroup => ({
      id: g.id ?? "",
      name: g.name ?? "",
      handle: g.handle ?? "",
      enabled: !g.date_delete,
      users: g.users ?? [],
      createdBy: g.created_by ?? null,
    }));
    return { available: true, byId: new Map(all.map((g) => [g.id, g])), all };
  } catch (error) {
    const code = slackError(error);
    if (isNoUserGroups(code)) return { available: false, reason: "plan" };
    if (code === "permission_denied") return { available: false, reason: "permission" };
    throw error;
  }
}

export interface ChannelState {
  id: string;
  /** What stops Roster from changing the channel's members, if anything. */
  problem: "not_found" | "archived" | "not_member" | null;
  /** #general, from which Slack removes nobody. */
  general: boolean;
  /** Shared with another organisation: its people are not the workspace's to remove. */
  external: boolean;
  members: string[];
}

/** The channel and its members; a channel Roster can't see or use says so rather than throw. */
export async function readChannel(client: WebClient, channelId: string): Promise<ChannelState> {
  const state: ChannelState = {
    id: channelId,
    problem: null,
    general: false,
    external: false,
    members: [],
  };
  let info;
  try {
    info = (await client.conversations.info({ channel: channelId })).channel;
  } catch (error) {
    // A private channel Roster isn't in is "not found" to it, exactly like a deleted one.
    if (slackError(error) === "channel_not_found") return { ...state, problem: "not_found" };
    throw error;
  }
  if (!info) return { ...state, problem: "not_found" };
  state.general = Boolean(info.is_general);
  state.external = Boolean(info.is_ext_shared || info.is_pending_ext_shared);
  if (info.is_archived) return { ...state, problem: "archived" };
  // The bot can invite and remove people only where it is a member itself.
  if (!info.is_member) return { ...state, problem: "not_member" };
  let cursor: string | undefined;
  do {
    const page = await client.conversations.members({
      channel: channelId,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    state.members.push(...(page.members ?? []));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return state;
}

export interface Refusal {
  user: string;
  error: string;
}

// conversations.invite takes up to 1,000 users a call.
const INVITE_BATCH = 1000;

/**
 * Invites people to a channel, `force` so one ID Slack won't take doesn't stop the others. Slack
 * answers ok:false when any one was refused (a deactivated account) even though it added the rest,
 * and lists each refusal in `errors`; those are returned, the rest counted as invited.
 */
export async function invite(client: WebClient, channelId: string, users: string[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  for (let i = 0; i < users.length; i += INVITE_BATCH) {
    const batch = users.slice(i, i + INVITE_BATCH);
    try {
      await client.conversations.invite({ channel: channelId, users: batch.join(","), force: true });
    } catch (error) {
      const code = slackError(error);
      const errors = (error as { data?: { errors?: { user?: string; error?: string }[] } }).data?.errors;
      if (!code || !Array.isArray(errors) || errors.length === 0) throw error;
      for (const e of errors) {
        if (e.user && e.error && e.error !== "already_in_channel")
          refused.push({ user: e.user, error: e.error });
      }
    }
  }
  return refused;
}

/** Removes people one by one (Slack's only way); someone already gone counts as removed. */
export async function kick(client: WebClient, channelId: string, users: string[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  for (const user of users) {
    try {
      await client.conversations.kick({ channel: channelId, user });
    } catch (error) {
      const code = slackError(error);
      if (code === "not_in_channel") continue;
      // Slack's own refusals (workspace preferences, #general, a channel manager…) leave that
      // person in; anything else (the network, a 5xx) stops the sync to be retried.
      if (!code || code === "ratelimited" || code === "internal_error" || code === "fatal_error") throw error;
      refused.push({ user, error: code });
    }
  }
  return refused;
}

/**
 * Sets a user group's members to exactly `users`. Slack refuses the whole list when one ID is not
 * a current workspace member (`invalid_users`); `usable` then narrows it to people Slack knows and
 * it is tried once more. Slack can't empty a group, so an empty list leaves it as it is.
 */
export async function setGroupUsers(
  client: WebClient,
  groupId: string,
  users: string[],
  usable: (users: string[]) => Promise<string[]>,
): Promise<"updated" | "empty"> {
  if (users.length === 0) return "empty";
  try {
    await client.usergroups.users.update({ usergroup: groupId, users: users.join(",") });
    return "updated";
  } catch (error) {
    const code = slackError(error);
    if (code !== "invalid_users" && code !== "failed_for_some_users") throw error;
    const known = await usable(users);
    if (known.length === 0) return "empty";
    if (known.length === users.length) throw error;
    await client.usergroups.users.update({ usergroup: groupId, users: known.join(",") });
    return "updated";
  }
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x)) && set.size === new Set(b).size;
}

/**
 * A new group for the team, named after it (or "<team> (Roster)" when Slack already has a group of
 * that name); null when Slack's settings don't let the bot create groups.
 */
export async function createGroup(
  client: WebClient,
  team: { name: string },
  handle: string,
  again: string,
): Promise<string | null> {
  for (const name of [team.name, `${team.name} (Roster)`]) {
    try {
      const { usergroup } = await client.usergroups.create({
        name,
        handle,
        description: `${team.name}'s active members, kept in step by Roster.`,
      });
      if (usergroup?.id) return usergroup.id;
      throw new Error("usergroups.create answered without a group");
    } catch (error) {
      const code = slackError(error);
      if (code === "name_already_exists") continue;
      if (code === "permission_denied") return null;
      throw handleRefusal(code, handle, again) ?? error;
    }
  }
  throw new Conflict(
    `Slack already has user groups called “${team.name}” and “${team.name} (Roster)”; rename one of them in Slack, then run /team sync again.`,
  );
}

export async function changeHandle(
  client: WebClient,
  groupId: string,
  handle: string,
  again: string,
): Promise<void> {
  try {
    await client.usergroups.update({ usergroup: groupId, handle });
  } catch (error) {
    throw handleRefusal(slackError(error), handle, again) ?? error;
  }
}

export async function enableGroup(client: WebClient, groupId: string): Promise<void> {
  try {
    await client.usergroups.enable({ usergroup: groupId });
  } catch (error) {
    if (slackError(error) !== "already_enabled") throw error;
  }
}

/**
 * The group's name follows the team's when it is renamed (its handle stays, so mentions people
 * already use keep working). False when Slack has another group of that name: the old one stays.
 */
export async function followTeamName(
  client: WebClient,
  group: UserGroup,
  team: { name: string },
): Promise<boolean> {
  if (group.name === team.name || group.name === `${team.name} (Roster)`) return true;
  try {
    await client.usergroups.update({ usergroup: group.id, name: team.name });
    return true;
  } catch (error) {
    if (slackError(error) !== "name_already_exists") throw error;
    return false;
  }
}

/** A deleted team's group is disabled (Slack can't delete one); true when it is, or can't be used anyway. */
export async function disableGroup(client: WebClient, groupId: string): Promise<boolean> {
  try {
    await client.usergroups.disable({ usergroup: groupId });
    return true;
  } catch (error) {
    const code = slackError(error);
    if (code === "already_disabled" || code === "no_such_subteam" || isNoUserGroups(code)) return true;
    throw error;
  }
}

function handleRefusal(code: string | undefined, handle: string, again: string): DomainError | undefined {
  if (code === "handle_already_exists") {
    return new Conflict(
      `@${handle} is already taken in Slack (by a user group, a person or a channel); choose another handle with ${again}.`,
      "handle",
    );
  }
  if (code === "bad_handle" || code === "forbidden_handle") {
    return new InvalidInput(
      `Slack doesn't accept @${handle} as a handle; choose another with ${again}.`,
      "handle",
    );
  }
  return undefined;
}

export interface ChannelChanges {
  invited: string[];
  removed: string[];
  refused: (Refusal & { doing: "invite" | "remove" })[];
}

/** Invites and removes; what Slack refused for someone is listed, the rest done. */
export async function changeChannel(
  client: WebClient,
  channelId: string,
  toInvite: string[],
  toRemove: string[],
): Promise<ChannelChanges> {
  const notInvited = await invite(client, channelId, toInvite);
  const notRemoved = await kick(client, channelId, toRemove);
  const refused = new Set([...notInvited, ...notRemoved].map((r) => r.user));
  return {
    invited: toInvite.filter((u) => !refused.has(u)),
    removed: toRemove.filter((u) => !refused.has(u)),
    refused: [
      ...notInvited.map((r) => ({ ...r, doing: "invite" as const })),
      ...notRemoved.map((r) => ({ ...r, doing: "remove" as const })),
    ],
  };
}
