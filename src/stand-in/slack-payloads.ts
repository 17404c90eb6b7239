import { isRecord } from "./stand-in-args";
import {
  DEFAULT_TEAM_DOMAIN,
  DEFAULT_WORKSPACE_ID,
  STAND_IN_APP_ID,
  STAND_IN_BOT_ID,
  STAND_IN_BOT_USER_ID,
  STAND_IN_VERIFICATION_TOKEN,
  dmChannelId,
  newTriggerId,
  nowTs,
  slackUserObject,
  type SlackUserInput,
} from "./slack-objects";

/*
 * Builders for what Slack POSTs to the app, copied field for field from the real payloads in
 * ../shared/slack-payloads (Slack's own SDK test fixtures). Optional enterprise fields are left out:
 * Slack sends `enterprise_id`/`enterprise_name` only for Enterprise Grid installs.
 */

type Json = Record<string, unknown>;

export interface SlashCommandInput {
  workspaceId: string;
  userId: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  command?: string;
  text: string;
  responseUrl: string;
  triggerId?: string;
  teamDomain?: string;
}

/** A slash command's form fields, all strings, exactly as Slack form-encodes them. */
export function slashCommand(input: SlashCommandInput): Record<string, string> {
  const channelId = input.channelId ?? dmChannelId(input.userId);
  return {
    token: STAND_IN_VERIFICATION_TOKEN,
    team_id: input.workspaceId,
    team_domain: input.teamDomain ?? DEFAULT_TEAM_DOMAIN,
    channel_id: channelId,
    // Slack names a command typed in a DM "directmessage".
    channel_name: input.channelName ?? (channelId.startsWith("D") ? "directmessage" : "general"),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? "/team",
    text: input.text,
    api_app_id: STAND_IN_APP_ID,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? newTriggerId(),
  };
}

export interface ViewInput {
  id: string;
  callback_id?: string;
  private_metadata?: string;
  blocks: unknown[];
  state?: { values: Record<string, unknown> };
  [field: string]: unknown;
}

/** A view as Slack embeds it in interaction payloads; fields the caller passed win. */
function fullView(view: ViewInput, workspaceId: string): Json {
  const { id, blocks, ...rest } = view;
  return {
    id,
    team_id: workspaceId,
    type: "modal",
    blocks,
    private_metadata: "",
    callback_id: "",
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.stand-in`,
    title: { type: "plain_text", text: "Roster" },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: id,
    app_id: STAND_IN_APP_ID,
    external_id: "",
    app_installed_team_id: workspaceId,
    bot_id: STAND_IN_BOT_ID,
    ...rest,
  };
}

function userField(workspaceId: string, userId: string, userName?: string): Json {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: workspaceId };
}

export interface BlockActionsInput {
  workspaceId: string;
  userId: string;
  userName?: string;
  actionId: string;
  value: string;
  blockId?: string;
  /** The message holding the button; its blocks tell the builder what the element looked like. */
  message?: { ts: string; channel: string; blocks: unknown[]; text?: string; channelName?: string };
  /** For a button in App Home or a modal: the view, as Slack sends it back. */
  view?: ViewInput;
  /** Slack sends a response_url only for actions in messages, never in views. */
  responseUrl?: string;
  triggerId?: string;
  container?: Json;
  teamDomain?: string;
}

/** Finds the element the user pressed, so `actions[0]` carries its real type and text. */
function findElement(blocks: unknown[], actionId: string): Json | undefined {
  for (const block of blocks) {
    if (typeof block !== "object" || block === null) continue;
    const { accessory, elements, element } = block as Json;
    const candidates = [accessory, element, ...(Array.isArray(elements) ? elements : [])];
    for (const candidate of candidates) {
      if (typeof candidate === "object" && candidate !== null && (candidate as Json).action_id === actionId) {
        return candidate as Json;
      }
    }
  }
  return undefined;
}

/** What Slack reports for the pressed element: a button's value, a select's chosen option or user. */
function actionFor(input: BlockActionsInput, blocks: unknown[], blockId: string): Json {
  const element = findElement(blocks, input.actionId);
  const type = typeof element?.type === "string" ? element.type : "button";
  const action: Json = { action_id: input.actionId, block_id: blockId, type, action_ts: nowTs() };
  if (type === "static_select" || type === "external_select") {
    const options = Array.isArray(element?.options) ? (element.options as Json[]) : [];
    const chosen = options.find((option) => option.value === input.value);
    action.selected_option = chosen ?? {
      text: { type: "plain_text", text: input.value },
      value: input.value,
    };
    if (element?.placeholder) action.placeholder = element.placeholder;
  } else if (type === "users_select") {
    action.selected_user = input.value;
  } else if (type === "conversations_select" || type === "channels_select") {
    action.selected_conversation = input.value;
  } else {
    action.text = element?.text ?? { type: "plain_text", text: input.value, emoji: true };
    action.value = input.value;
  }
  return action;
}

/**
 * A `block_actions` interaction payload (sent as the `payload` form field). A button is always
 * somewhere: without a message or a view, it is in a message the app sent to the user's DM.
 */
export function blockActions(input: BlockActionsInput): Json {
  const message =
    input.message ??
    (input.view ? undefined : { ts: nowTs(), channel: dmChannelId(input.userId), blocks: [] });
  const blocks = message?.blocks ?? input.view?.blocks ?? [];
  const blockId = input.blockId ?? findBlockId(blocks, input.actionId) ?? "stand-in-block";
  const payload: Json = {
    type: "block_actions",
    user: userField(input.workspaceId, input.userId, input.userName),
    api_app_id: STAND_IN_APP_ID,
    token: STAND_IN_VERIFICATION_TOKEN,
    container: input.container ?? containerFor(message, input.view),
    trigger_id: input.triggerId ?? newTriggerId(),
    team: { id: input.workspaceId, domain: input.teamDomain ?? DEFAULT_TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
  };
  if (message) {
    const { ts, channel } = message;
    payload.channel = { id: channel, name: input.message?.channelName ?? channelNameFor(channel) };
    payload.message = {
      bot_id: STAND_IN_BOT_ID,
      type: "message",
      text: input.message?.text ?? "",
      user: STAND_IN_BOT_USER_ID,
      ts,
      team: input.workspaceId,
      blocks,
    };
  }
  if (input.view) payload.view = fullView(input.view, input.workspaceId);
  payload.state = input.view?.state ?? { values: {} };
  if (input.responseUrl !== undefined) payload.response_url = input.responseUrl;
  payload.actions = [actionFor(input, blocks, blockId)];
  return payload;
}

function findBlockId(blocks: unknown[], actionId: string): string | undefined {
  const block = blocks.find((candidate) => findElement([candidate], actionId) !== undefined);
  return isRecord(block) && typeof block.block_id === "string" ? block.block_id : undefined;
}

function channelNameFor(channelId: string): string {
  return channelId.startsWith("D") ? "directmessage" : "general";
}

function containerFor(
  message: { ts: string; channel: string } | undefined,
  view: ViewInput | undefined,
): Json {
  if (message)
    return { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false };
  return { type: "view", view_id: view?.id };
}

export interface ViewSubmissionInput {
  workspaceId: string;
  userId: string;
  userName?: string;
  view: ViewInput & {
    callback_id: string;
    private_metadata: string;
    state: { values: Record<string, unknown> };
  };
  triggerId?: string;
  teamDomain?: string;
}

/** A `view_submission` payload: the modal's final state, as the user left it. */
export function viewSubmission(input: ViewSubmissionInput): Json {
  return {
    type: "view_submission",
    team: { id: input.workspaceId, domain: input.teamDomain ?? DEFAULT_TEAM_DOMAIN },
    user: userField(input.workspaceId, input.userId, input.userName),
    api_app_id: STAND_IN_APP_ID,
    token: STAND_IN_VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: fullView(input.view, input.workspaceId),
    response_urls: [],
    enterprise: null,
    is_enterprise_install: false,
  };
}

let eventSequence = 0;

/** The Events API envelope (JSON body) around one event. */
export function eventCallback(input: { workspaceId: string; event: Json; eventId?: string }): Json {
  eventSequence += 1;
  const eventTime = Math.floor(Date.now() / 1000);
  const eventType = typeof input.event.type === "string" ? input.event.type : "unknown";
  const context = { et: eventType, tid: input.workspaceId, aid: STAND_IN_APP_ID };
  return {
    token: STAND_IN_VERIFICATION_TOKEN,
    team_id: input.workspaceId,
    api_app_id: STAND_IN_APP_ID,
    event: input.event,
    type: "event_callback",
    event_id: input.eventId ?? `Ev${String(eventTime)}${String(eventSequence).padStart(4, "0")}`,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: input.workspaceId,
        user_id: STAND_IN_BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString("base64url")}`,
  };
}

/** `app_home_opened`; Slack adds the published `view` once the user has a Home. */
export function appHomeOpened(
  userId: string,
  options: { view?: Json; tab?: "home" | "messages" } = {},
): Json {
  const event: Json = {
    type: "app_home_opened",
    user: userId,
    channel: dmChannelId(userId),
    tab: options.tab ?? "home",
  };
  if (options.view) event.view = options.view;
  event.event_ts = nowTs();
  return event;
}

/** `team_join`, carrying the same full user object `users.info` answers with. */
export function teamJoin(user: SlackUserInput, workspaceId: string = DEFAULT_WORKSPACE_ID): Json {
  const eventTs = nowTs();
  return {
    type: "team_join",
    user: { ...slackUserObject(user, workspaceId), presence: "away" },
    cache_ts: Math.floor(Number(eventTs)),
    event_ts: eventTs,
  };
}
