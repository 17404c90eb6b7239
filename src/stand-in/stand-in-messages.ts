import {
  fail,
  flag,
  idList,
  isRecord,
  num,
  ok,
  str,
  type ApiArgs,
  type ApiHandler,
  type ApiResult,
} from "./stand-in-args";
import { STAND_IN_APP_ID, STAND_IN_BOT_ID, STAND_IN_BOT_USER_ID, slackTs } from "./slack-objects";
import type { StandInDirectory } from "./stand-in-directory";

export interface StandInMessage {
  /** The `channel` argument as the app passed it: a channel, DM or user ID. */
  channel: string;
  /** The conversation Slack put it in: a user ID resolves to the DM with that user. */
  conversation: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** Files shared with the message (external upload flow). */
  files?: string[];
  edited?: boolean;
  /** Message metadata (chat.postMessage `metadata`), returned by conversations.history on request. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** Only its user sees an ephemeral message, and Slack never lets the app edit it by ts. */
export interface StandInEphemeral extends StandInMessage {
  user: string;
  /** Set when it came through a response_url rather than chat.postEphemeral. */
  responseUrl?: string;
}

export interface StandInFile {
  id: string;
  filename: string;
  title?: string;
  /** The length the app declared in files.getUploadURLExternal. */
  length: number;
  altText?: string;
  bytes?: Buffer;
  channelId?: string;
  threadTs?: string;
  initialComment?: string;
  completed: boolean;
}

/** Where a response_url points back to: the message with the button, and who pressed it. */
export interface ResponseOrigin {
  channel?: string;
  messageTs?: string;
  userId?: string;
}

// Slack's limits that catch real bugs: 50 blocks per message, 40,000 characters of text.
const MAX_BLOCKS = 50;
const MAX_TEXT = 40_000;

function content(args: ApiArgs): { text?: string; blocks?: unknown[]; error?: string } {
  const text = str(args, "text");
  const blocks = args.blocks;
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS))
    return { error: "invalid_blocks" };
  if (text === undefined && blocks === undefined && args.attachments === undefined)
    return { error: "no_text" };
  if (text !== undefined && text.length > MAX_TEXT) return { error: "msg_too_long" };
  return { text, blocks: blocks as unknown[] | undefined };
}

/** Messages, ephemerals and files, in the order Slack would have shown them. */
export class StandInMessages {
  readonly messages: StandInMessage[] = [];
  readonly ephemerals: StandInEphemeral[] = [];
  readonly files = new Map<string, StandInFile>();
  // 1700000000.000100, .000200, ...: increasing like Slack's, and stable from run to run.
  private micros = 1_700_000_000_000_000;

  constructor(
    private readonly directory: StandInDirectory,
    private readonly baseUrl: () => string,
  ) {}

  nextTs(): string {
    this.micros += 100;
    return slackTs(this.micros);
  }

  /** Messages to a channel, DM or user (a user's DM holds what was sent to the user's ID). */
  messagesTo(channelOrUser: string): StandInMessage[] {
    const conversation = this.directory.resolveConversation(channelOrUser);
    return this.messages.filter((m) => m.channel === channelOrUser || m.conversation === conversation);
  }

  private find(channel: string, ts: string): StandInMessage | undefined {
    const conversation = this.directory.resolveConversation(channel);
    return this.messages.find((m) => m.ts === ts && m.conversation === conversation);
  }

  private messageObject(m: StandInMessage): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      user: STAND_IN_BOT_USER_ID,
      type: "message",
      ts: m.ts,
      bot_id: STAND_IN_BOT_ID,
      app_id: STAND_IN_APP_ID,
      text: m.text ?? "",
      team: this.directory.workspaceId,
    };
    if (m.blocks) fields.blocks = m.blocks;
    if (m.thread_ts) fields.thread_ts = m.thread_ts;
    return fields;
  }

  /**
   * The conversation the bot may post to. With chat:write.public a bot posts to any public channel;
   * a private channel it is not in does not exist as far as the bot can tell.
   */
  private postable(channel: string | undefined): { conversation?: string; error?: string } {
    const conversation = channel ? this.directory.resolveConversation(channel) : undefined;
    if (!conversation) return { error: "channel_not_found" };
    const known = this.directory.channels.get(conversation);
    if (known?.isArchived) return { error: "is_archived" };
    if (known?.isPrivate && !known.members.includes(STAND_IN_BOT_USER_ID))
      return { error: "channel_not_found" };
    return { conversation };
  }

  handlers(): Record<string, ApiHandler> {
    return {
      "chat.postMessage": (args) => this.postMessage(args),
      "chat.postEphemeral": (args) => this.postEphemeral(args),
      "chat.update": (args) => this.update(args),
      "chat.delete": (args) => this.remove(args),
      "conversations.history": (args) => this.history(args),
      "files.getUploadURLExternal": (args) => this.getUploadUrl(args),
      "files.completeUploadExternal": (args) => this.completeUpload(args),
    };
  }

  private postMessage(args: ApiArgs): ApiResult {
    const channel = str(args, "channel") ?? "";
    const target = this.postable(channel);
    if (!target.conversation) return fail(target.error ?? "channel_not_found");
    const body = content(args);
    if (body.error) return fail(body.error);
    const message: StandInMessage = {
      channel,
      conversation: target.conversation,
      ts: this.nextTs(),
      ...body,
    };
    const threadTs = str(args, "thread_ts");
    if (threadTs) message.thread_ts = threadTs;
    const metadata = args.metadata;
    if (isRecord(metadata) && typeof metadata.event_type === "string" && isRecord(metadata.event_payload)) {
      message.metadata = { event_type: metadata.event_type, event_payload: metadata.event_payload };
    }
    this.messages.push(message);
    return ok({ channel: message.conversation, ts: message.ts, message: this.messageObject(message) });
  }

  private postEphemeral(args: ApiArgs): ApiResult {
    const channel = str(args, "channel") ?? "";
    const user = str(args, "user") ?? "";
    const target = this.postable(channel);
    if (!target.conversation) return fail(target.error ?? "channel_not_found");
    if (!this.directory.users.has(user)) return fail("user_not_found");
    // Slack drops an ephemeral message for someone who can't see the channel.
    if (!this.directory.membersOf(target.conversation).includes(user)) return fail("user_not_in_channel");
    const body = content(args);
    if (body.error) return fail(body.error);
    const ephemeral: StandInEphemeral = {
      channel,
      conversation: target.conversation,
      user,
      ts: this.nextTs(),
      ...body,
    };
    const threadTs = str(args, "thread_ts");
    if (threadTs) ephemeral.thread_ts = threadTs;
    this.ephemerals.push(ephemeral);
    return ok({ message_ts: ephemeral.ts });
  }

  private update(args: ApiArgs): ApiResult {
    const channel = str(args, "channel") ?? "";
    if (!this.directory.resolveConversation(channel)) return fail("channel_not_found");
    const message = this.find(channel, str(args, "ts") ?? "");
    if (!message) return fail("message_not_found");
    const body = content(args);
    if (body.error) return fail(body.error);
    // Slack keeps what the update leaves out: passing only blocks leaves the text as it was.
    if (body.text !== undefined) message.text = body.text;
    if (body.blocks !== undefined) message.blocks = body.blocks;
    message.edited = true;
    return ok({
      channel: message.conversation,
      ts: message.ts,
      text: message.text ?? "",
      message: this.messageObject(message),
    });
  }

  private remove(args: ApiArgs): ApiResult {
    const channel = str(args, "channel") ?? "";
    if (!this.directory.resolveConversation(channel)) return fail("channel_not_found");
    const message = this.find(channel, str(args, "ts") ?? "");
    if (!message) return fail("message_not_found");
    this.messages.splice(this.messages.indexOf(message), 1);
    return ok({ channel: message.conversation, ts: message.ts });
  }

  /**
   * A conversation's messages, newest first, between `oldest` and `latest` (exclusive, as Slack
   * does unless `inclusive`). The bot reads only conversations it is in; metadata comes back only
   * with `include_all_metadata`.
   */
  private history(args: ApiArgs): ApiResult {
    const channel = str(args, "channel") ?? "";
    const conversation = this.directory.resolveConversation(channel);
    if (!conversation) return fail("channel_not_found");
    const known = this.directory.channels.get(conversation);
    if (known && !known.members.includes(STAND_IN_BOT_USER_ID)) return fail("not_in_channel");
    const oldest = Number(str(args, "oldest") ?? "0");
    const latest = Number(str(args, "latest") ?? "Infinity");
    const inclusive = flag(args, "inclusive");
    const limit = Math.min(Math.max(num(args, "limit") ?? 100, 1), 999);
    const withMetadata = flag(args, "include_all_metadata");
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    const found = this.messages
      .filter((m) => m.conversation === conversation && !m.thread_ts && inRange(Number(m.ts)))
      .reverse();
    const page = found.slice(0, limit).map((m) => {
      const fields = this.messageObject(m);
      if (m.files) fields.files = m.files.map((id) => ({ id }));
      if (withMetadata && m.metadata) fields.metadata = m.metadata;
      return fields;
    });
    return ok({ messages: page, has_more: found.length > limit, response_metadata: { next_cursor: "" } });
  }

  private getUploadUrl(args: ApiArgs): ApiResult {
    const filename = str(args, "filename");
    const length = num(args, "length");
    if (!filename || length === undefined || !Number.isInteger(length) || length < 1)
      return fail("invalid_arguments");
    const id = `F${String(this.files.size + 1).padStart(8, "0")}`;
    this.files.set(id, { id, filename, length, altText: str(args, "alt_text"), completed: false });
    return ok({ upload_url: `${this.baseUrl()}upload/${id}`, file_id: id });
  }

  /** Stores the bytes POSTed to an upload URL; undefined when Slack never handed out that URL. */
  receiveUpload(fileId: string, bytes: Buffer): number | undefined {
    const file = this.files.get(fileId);
    if (!file || file.completed) return undefined;
    file.bytes = bytes;
    return bytes.length;
  }

  /**
   * Finishes uploads and, with a channel, shares them in one message (initial_comment as its
   * text). Slack shares asynchronously, so its answer lists only each file's id and title.
   */
  private completeUpload(args: ApiArgs): ApiResult {
    const entries = Array.isArray(args.files) ? args.files.filter(isRecord) : [];
    if (entries.length === 0) return fail("invalid_arguments");
    const files: StandInFile[] = [];
    for (const entry of entries) {
      const file = this.files.get(String(entry.id));
      if (!file || file.bytes === undefined || file.completed) return fail("file_not_found");
      files.push(file);
    }
    const channel = str(args, "channel_id") ?? idList(args.channels)[0];
    const target = channel ? this.postable(channel) : undefined;
    if (target && !target.conversation) return fail(target.error ?? "channel_not_found");
    const threadTs = str(args, "thread_ts");
    const initialComment = str(args, "initial_comment");
    for (const [index, file] of files.entries()) {
      const title = entries[index].title;
      file.title = typeof title === "string" ? title : file.filename;
      Object.assign(file, { completed: true, channelId: channel, threadTs, initialComment });
    }
    if (channel && target?.conversation) {
      const message: StandInMessage = {
        channel,
        conversation: target.conversation,
        ts: this.nextTs(),
        text: initialComment ?? "",
      };
      if (threadTs) message.thread_ts = threadTs;
      message.files = files.map((f) => f.id);
      this.messages.push(message);
    }
    return ok({ files: files.map((f) => ({ id: f.id, title: f.title })) });
  }

  /**
   * What Slack does with a body POSTed to a response_url: delete_original or replace_original act
   * on the message that held the button (for a slash command, on the last reply through the same
   * URL); otherwise a new message, ephemeral unless response_type is "in_channel".
   */
  applyResponse(url: string, origin: ResponseOrigin, body: Record<string, unknown>): string | undefined {
    const original: StandInMessage | undefined =
      origin.channel && origin.messageTs
        ? this.find(origin.channel, origin.messageTs)
        : this.ephemerals.filter((e) => e.responseUrl === url).at(-1);
    const list: StandInMessage[] = original && "user" in original ? this.ephemerals : this.messages;
    if (body.delete_original === true) {
      if (original) list.splice(list.indexOf(original), 1);
      return undefined;
    }
    const replied = content(body);
    if (replied.error) return replied.error;
    if (body.replace_original === true && original) {
      original.text = replied.text;
      original.blocks = replied.blocks;
      original.edited = true;
      return undefined;
    }
    const conversation = origin.channel ? this.directory.resolveConversation(origin.channel) : undefined;
    if (!origin.channel || !conversation) return undefined;
    const message = { channel: origin.channel, conversation, ts: this.nextTs(), ...replied };
    if (body.response_type === "in_channel") this.messages.push(message);
    else if (origin.userId) this.ephemerals.push({ ...message, user: origin.userId, responseUrl: url });
    return undefined;
  }
}
