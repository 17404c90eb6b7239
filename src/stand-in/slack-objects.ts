import { randomBytes } from "node:crypto";

/** The bot the stand-in answers as: `auth.test` reports these, and they author every message. */
export const STAND_IN_BOT_USER_ID = "UROSTERBOT";
export const STAND_IN_BOT_ID = "BROSTER";
export const STAND_IN_APP_ID = "AROSTER";
export const DEFAULT_WORKSPACE_ID = "T0ROSTER";
export const DEFAULT_TEAM_DOMAIN = "roster";
/** Slack still sends the deprecated verification token in every payload; Bolt ignores it. */
export const STAND_IN_VERIFICATION_TOKEN = "stand-in-verification-token";

/** A workspace member as a test or the console describes it. */
export interface SlackUserInput {
  id: string;
  name: string;
  realName?: string;
  email?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  deleted?: boolean;
  isBot?: boolean;
}

/**
 * The user object Slack sends in `users.info`, `users.lookupByEmail` and the `team_join` event,
 * field for field (see ../shared/slack-payloads/team-join.json). Bots carry no email.
 */
export function slackUserObject(user: SlackUserInput, workspaceId: string): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  const [firstName = "", ...rest] = realName.split(" ");
  const avatar = (size: number) =>
    `https://secure.gravatar.com/avatar/${user.id.toLowerCase()}.jpg?s=${size}&d=mp`;
  const profile: Record<string, unknown> = {
    title: "",
    phone: "",
    skype: "",
    real_name: realName,
    real_name_normalized: realName,
    display_name: user.isBot ? "" : user.name,
    display_name_normalized: user.isBot ? "" : user.name,
    status_text: "",
    status_text_canonical: "",
    status_emoji: "",
    status_expiration: 0,
    avatar_hash: user.id.toLowerCase().slice(0, 12),
    first_name: firstName,
    last_name: rest.join(" "),
    pronouns: "",
    image_24: avatar(24),
    image_32: avatar(32),
    image_48: avatar(48),
    image_72: avatar(72),
    image_192: avatar(192),
    image_512: avatar(512),
    is_custom_image: false,
    huddle_state: "default_unset",
    huddle_state_expiration_ts: 0,
    team: workspaceId,
  };
  if (user.email !== undefined && !user.isBot) profile.email = user.email;
  if (user.isBot)
    profile.bot_id = user.id === STAND_IN_BOT_USER_ID ? STAND_IN_BOT_ID : `B${user.id.slice(1)}`;
  return {
    id: user.id,
    team_id: workspaceId,
    name: user.name,
    deleted: user.deleted ?? false,
    color: "9f69e7",
    real_name: realName,
    tz: "UTC",
    tz_label: "Coordinated Universal Time",
    tz_offset: 0,
    profile,
    is_admin: user.isAdmin ?? false,
    is_owner: user.isOwner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    is_invited_user: false,
    updated: 1700000000,
    is_email_confirmed: user.email !== undefined,
    who_can_share_contact_card: "EVERYONE",
  };
}

/**
 * Slack opens one DM per user and keeps its ID; the stand-in derives it from the user ID so that
 * the `app_home_opened` builder and `conversations.open` agree without sharing state.
 */
export function dmChannelId(userId: string): string {
  return `D${userId}`;
}

let triggerSequence = 0;

/**
 * A trigger_id in Slack's shape ("<digits>.<digits>.<hex>"). Slack lets a trigger open a view only
 * within 3 seconds of the interaction; the issue time (ms) is the first segment, so the stand-in
 * can hold the app to that limit (an app that does slow work before `views.open` fails for real).
 */
export function newTriggerId(issuedAtMs: number = Date.now()): string {
  triggerSequence += 1;
  return `${issuedAtMs}.${triggerSequence}.${randomBytes(10).toString("hex")}`;
}

/** Slack's ts: seconds, a dot, six digits; unique per channel and increasing. */
export function slackTs(epochMicros: number): string {
  const seconds = Math.floor(epochMicros / 1_000_000);
  return `${seconds}.${String(epochMicros % 1_000_000).padStart(6, "0")}`;
}

export function nowTs(): string {
  return slackTs(Date.now() * 1000);
}
