import {
  fail,
  flag,
  idList,
  num,
  ok,
  str,
  type ApiArgs,
  type ApiHandler,
  type ApiResult,
} from "./stand-in-args";
import { STAND_IN_BOT_USER_ID, dmChannelId, slackUserObject, type SlackUserInput } from "./slack-objects";
import { userGroupHandlers, type StandInUserGroup } from "./stand-in-user-groups";

export type StandInUser = Readonly<SlackUserInput>;

export interface StandInChannel {
  id: string;
  name: string;
  /** Includes the bot only when it was listed or joined: Slack makes the bot join like anyone else. */
  members: string[];
  isArchived: boolean;
  isPrivate: boolean;
  created: number;
}

export interface ChannelInput {
  id: string;
  name: string;
  members?: string[];
  isArchived?: boolean;
  isPrivate?: boolean;
}

/** Slack's cursors are opaque base64 strings such as "dXNlcjpVMEc5V0ZYTlo=" ("user:U0G9WFXNZ"). */
function encodeCursor(userId: string): string {
  return Buffer.from(`user:${userId}`).toString("base64");
}

function decodeCursor(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, "base64").toString("utf8");
  return decoded.startsWith("user:") ? decoded.slice("user:".length) : undefined;
}

/** The workspace as Slack knows it: members, channels, DMs and user groups. */
export class StandInDirectory {
  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  readonly userGroups = new Map<string, StandInUserGroup>();
  /** Open DMs and group DMs by ID, with their members. */
  readonly dms = new Map<string, string[]>();
  userGroupsPlan: "paid" | "free" = "paid";

  constructor(readonly workspaceId: string) {
    this.addUser({ id: STAND_IN_BOT_USER_ID, name: "roster", realName: "Roster", isBot: true });
  }

  addUser(user: SlackUserInput): void {
    this.users.set(user.id, { ...user });
  }

  addChannel(channel: ChannelInput): void {
    this.channels.set(channel.id, {
      id: channel.id,
      name: channel.name,
      members: [...new Set(channel.members ?? [])],
      isArchived: channel.isArchived ?? false,
      isPrivate: channel.isPrivate ?? false,
      created: Math.floor(Date.now() / 1000),
    });
  }

  /**
   * The conversation a `channel` argument names. Slack accepts a user ID and posts to the DM with
   * that user, and a "#name" for a channel; anything else must be a conversation it knows.
   */
  resolveConversation(id: string): string | undefined {
    if (this.channels.has(id) || this.dms.has(id)) return id;
    if (/^[UW]/.test(id) && this.users.has(id)) return this.openDm(id);
    // The DM a slash command or App Home came from exists before the app ever opens it.
    if (id.startsWith("D") && this.users.has(id.slice(1))) return this.openDm(id.slice(1));
    if (id.startsWith("#")) {
      for (const channel of this.channels.values()) if (channel.name === id.slice(1)) return channel.id;
    }
    return undefined;
  }

  /** Who can see a conversation; an ephemeral message needs its user to be one of them. */
  membersOf(conversationId: string): string[] {
    return this.channels.get(conversationId)?.members ?? this.dms.get(conversationId) ?? [];
  }

  private openDm(userId: string): string {
    const id = dmChannelId(userId);
    if (!this.dms.has(id)) this.dms.set(id, [userId, STAND_IN_BOT_USER_ID]);
    return id;
  }

  private channelObject(channel: StandInChannel): Record<string, unknown> {
    const text = { value: "", creator: "", last_set: 0 };
    return {
      id: channel.id,
      name: channel.name,
      // Private channels with C IDs report is_channel true; only pre-2021 G IDs report is_group.
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate,
      created: channel.created,
      is_archived: channel.isArchived,
      is_general: false,
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_ext_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: this.workspaceId,
      parent_conversation: null,
      creator: "",
      is_member: channel.members.includes(STAND_IN_BOT_USER_ID),
      topic: text,
      purpose: text,
      previous_names: [],
    };
  }

  private dmObject(id: string): Record<string, unknown> {
    const members = this.dms.get(id) ?? [];
    const others = members.filter((member) => member !== STAND_IN_BOT_USER_ID);
    const base = {
      id,
      created: 1700000000,
      is_archived: false,
      is_org_shared: false,
      context_team_id: this.workspaceId,
    };
    if (id.startsWith("D"))
      return { ...base, is_im: true, user: others[0], is_user_deleted: false, priority: 0 };
    return { ...base, is_mpim: true, is_private: true, name: `mpdm-${others.join("--")}-1` };
  }

  handlers(): Record<string, ApiHandler> {
    return {
      "users.info": (args) => this.usersInfo(args),
      "users.list": (args) => this.usersList(args),
      "users.lookupByEmail": (args) => this.lookupByEmail(args),
      "conversations.info": (args) => this.conversationsInfo(args),
      "conversations.members": (args) => this.conversationsMembers(args),
      "conversations.invite": (args) => this.conversationsInvite(args),
      "conversations.kick": (args) => this.conversationsKick(args),
      "conversations.open": (args) => this.conversationsOpen(args),
      "conversations.join": (args) => this.conversationsJoin(args),
      ...userGroupHandlers(this),
    };
  }

  private usersInfo(args: ApiArgs): ApiResult {
    const user = this.users.get(str(args, "user") ?? "");
    return user ? ok({ user: slackUserObject(user, this.workspaceId) }) : fail("user_not_found");
  }

  /**
   * Everyone, bots and deactivated accounts included, as Slack lists them. With no `limit` Slack
   * tries to send the whole list at once; with one, a page and a cursor to the next.
   */
  private usersList(args: ApiArgs): ApiResult {
    const users = [...this.users.values()];
    const limit = num(args, "limit") ?? 0;
    const cursor = str(args, "cursor");
    let start = 0;
    if (cursor) {
      const from = decodeCursor(cursor);
      start = from === undefined ? -1 : users.findIndex((user) => user.id === from);
      if (start < 0) return fail("invalid_cursor");
    }
    const end = limit > 0 ? start + limit : users.length;
    const next = users[end];
    return ok({
      members: users.slice(start, end).map((user) => slackUserObject(user, this.workspaceId)),
      cache_ts: Math.floor(Date.now() / 1000),
      response_metadata: { next_cursor: next ? encodeCursor(next.id) : "" },
    });
  }

  private lookupByEmail(args: ApiArgs): ApiResult {
    const email = str(args, "email")?.toLowerCase();
    const user = [...this.users.values()].find((candidate) => candidate.email?.toLowerCase() === email);
    return user ? ok({ user: slackUserObject(user, this.workspaceId) }) : fail("users_not_found");
  }

  private conversationsInfo(args: ApiArgs): ApiResult {
    const id = str(args, "channel") ?? "";
    const channel = this.channels.get(id);
    if (channel) {
      const info = this.channelObject(channel);
      if (flag(args, "include_num_members")) info.num_members = channel.members.length;
      return ok({ channel: info });
    }
    return this.dms.has(id) ? ok({ channel: this.dmObject(id) }) : fail("channel_not_found");
  }

  private conversationsMembers(args: ApiArgs): ApiResult {
    const id = str(args, "channel") ?? "";
    if (!this.channels.has(id) && !this.dms.has(id)) return fail("channel_not_found");
    const members = this.membersOf(id);
    // Slack's default page is 100 and it never returns more than 1000 at once.
    const limit = Math.min(Math.max(num(args, "limit") ?? 100, 1), 1000);
    const cursor = str(args, "cursor");
    let start = 0;
    if (cursor !== undefined) {
      const from = decodeCursor(cursor);
      start = from === undefined ? -1 : members.indexOf(from);
      if (start < 0) return fail("invalid_cursor");
    }
    const page = members.slice(start, start + limit);
    const next = members[start + limit];
    return ok({ members: page, response_metadata: { next_cursor: next ? encodeCursor(next) : "" } });
  }

  /**
   * Slack invites all or nothing when an ID is unknown (unless `force`), reports already_in_channel
   * only when nobody new was added, and for deactivated users invites the others but still answers
   * ok:false. Each refused user is listed in `errors`.
   */
  private conversationsInvite(args: ApiArgs): ApiResult {
    const userIds = idList(args.users);
    const channel = this.channels.get(str(args, "channel") ?? "");
    if (!channel)
      return fail(
        this.dms.has(str(args, "channel") ?? "")
          ? "method_not_supported_for_channel_type"
          : "channel_not_found",
      );
    if (userIds.length === 0) return fail("no_user");
    if (channel.isArchived) return fail("is_archived");
    if (!channel.members.includes(STAND_IN_BOT_USER_ID)) return fail("not_in_channel");
    if (userIds.includes(STAND_IN_BOT_USER_ID)) return fail("cant_invite_self");
    const errors: { user: string; ok: false; error: string }[] = [];
    const toAdd: string[] = [];
    for (const id of new Set(userIds)) {
      const user = this.users.get(id);
      const error = !user
        ? "user_not_found"
        : user.deleted
          ? "cant_invite"
          : channel.members.includes(id)
            ? "already_in_channel"
            : undefined;
      if (error) errors.push({ user: id, ok: false, error });
      else toAdd.push(id);
    }
    const unknown = errors.find((e) => e.error === "user_not_found");
    if (unknown && !flag(args, "force")) return fail("user_not_found", { errors });
    if (toAdd.length === 0 && errors.every((e) => e.error === "already_in_channel")) {
      return fail("already_in_channel", { errors });
    }
    channel.members.push(...toAdd);
    const disabled = errors.find((e) => e.error === "cant_invite");
    if (disabled) return fail("cant_invite", { errors });
    return ok({ channel: this.channelObject(channel) });
  }

  private conversationsKick(args: ApiArgs): ApiResult {
    const channel = this.channels.get(str(args, "channel") ?? "");
    const userId = str(args, "user");
    if (!channel) return fail("channel_not_found");
    if (!userId) return fail("no_user");
    if (userId === STAND_IN_BOT_USER_ID) return fail("cant_kick_self");
    if (!this.users.has(userId)) return fail("user_not_found");
    if (!channel.members.includes(userId)) return fail("not_in_channel");
    channel.members = channel.members.filter((member) => member !== userId);
    return ok({ errors: {} });
  }

  /** Opening an existing DM is a no-op Slack flags with `no_op` and `already_open`. */
  private conversationsOpen(args: ApiArgs): ApiResult {
    const existing = str(args, "channel");
    if (existing)
      return this.dms.has(existing)
        ? ok({ no_op: true, already_open: true, channel: { id: existing } })
        : fail("channel_not_found");
    const userIds = [...new Set(idList(args.users))].filter((id) => id !== STAND_IN_BOT_USER_ID);
    if (userIds.length === 0) return fail("users_list_not_supplied");
    for (const id of userIds) {
      const user = this.users.get(id);
      if (!user) return fail("user_not_found");
      if (user.deleted) return fail("user_disabled");
    }
    const id =
      userIds.length === 1 ? dmChannelId(userIds[0]) : `G${[...userIds].sort().join("").slice(0, 20)}`;
    const already = this.dms.has(id);
    if (!already) this.dms.set(id, [...userIds, STAND_IN_BOT_USER_ID]);
    const channel = flag(args, "return_im") ? this.dmObject(id) : { id };
    return ok(already ? { no_op: true, already_open: true, channel } : { channel });
  }

  private conversationsJoin(args: ApiArgs): ApiResult {
    const channel = this.channels.get(str(args, "channel") ?? "");
    if (!channel) return fail("channel_not_found");
    if (channel.isArchived) return fail("is_archived");
    // A bot can join public channels only; a private one must invite it.
    if (channel.isPrivate) return fail("method_not_supported_for_channel_type");
    if (channel.members.includes(STAND_IN_BOT_USER_ID)) {
      return ok({
        channel: this.channelObject(channel),
        warning: "already_in_channel",
        response_metadata: { warnings: ["already_in_channel"] },
      });
    }
    channel.members.push(STAND_IN_BOT_USER_ID);
    return ok({ channel: this.channelObject(channel) });
  }
}
