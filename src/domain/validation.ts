import { InvalidInput } from "./errors";

/**
 * The rules for names and identifiers, shared by every surface. Each check throws InvalidInput
 * with one sentence saying what is wrong and what would be right.
 */

export const TEAM_NAME_MAX = 80;
export const DESCRIPTION_MAX = 500;
export const ROLE_NAME_MAX = 40;
export const META_KEYS_MAX = 50;
export const META_KEY_MAX = 64;
export const META_VALUE_MAX = 256;

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,31}$/;
const SLACK_WORKSPACE_ID = /^[TE][A-Z0-9]{2,31}$/;
// Control characters, and the characters that break Slack's own formatting of a name.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cf}<>*`|]/u;

/** The form of a name used for uniqueness and lookup: width- and case-folded, trimmed. */
export function nameKey(name: string): string {
  return name.normalize("NFKC").trim().toLowerCase();
}

export function teamName(raw: unknown, field = "name"): string {
  const name = typeof raw === "string" ? raw.normalize("NFKC").trim().replace(/\s+/g, " ") : "";
  if (!name) throw new InvalidInput("A team needs a name: give one, in quotes if it has spaces.", field);
  if (name.length > TEAM_NAME_MAX) {
    throw new InvalidInput(
      `A team name can be at most ${TEAM_NAME_MAX} characters; this one has ${name.length}.`,
      field,
    );
  }
  if (FORBIDDEN_IN_NAME.test(name)) {
    throw new InvalidInput(
      "A team name can't contain control characters or any of < > * ` |; choose another.",
      field,
    );
  }
  return name;
}

export function description(raw: unknown, field = "description"): string {
  const text = typeof raw === "string" ? raw.trim() : "";
  if (text.length > DESCRIPTION_MAX) {
    throw new InvalidInput(
      `A description can be at most ${DESCRIPTION_MAX} characters; this one has ${text.length}.`,
      field,
    );
  }
  if (/\p{Cc}/u.test(text.replace(/\n/g, ""))) {
    throw new InvalidInput("A description can't contain control characters.", field);
  }
  return text;
}

export function roleName(raw: unknown, field = "name"): string {
  const name = typeof raw === "string" ? raw.trim() : "";
  if (!/^[a-z][a-z0-9_-]*$/i.test(name) || name.length > ROLE_NAME_MAX) {
    throw new InvalidInput(
      `A role name is 1 to ${ROLE_NAME_MAX} letters, digits, - or _, starting with a letter (like reviewer).`,
      field,
    );
  }
  return name;
}

export function userId(raw: unknown, field = "user"): string {
  if (typeof raw !== "string" || !SLACK_USER_ID.test(raw)) {
    throw new InvalidInput(`${describe(raw)} is not a Slack user; mention them like @alice.`, field);
  }
  return raw;
}

export function channelId(raw: unknown, field = "channel"): string {
  if (typeof raw !== "string" || !SLACK_CHANNEL_ID.test(raw)) {
    throw new InvalidInput(`${describe(raw)} is not a Slack channel; name it like #team-platform.`, field);
  }
  return raw;
}

export function workspaceId(raw: unknown): string {
  if (typeof raw !== "string" || !SLACK_WORKSPACE_ID.test(raw)) {
    throw new InvalidInput(`${describe(raw)} is not a Slack workspace ID (like T0123ABCD).`, "workspace");
  }
  return raw;
}

export function metadata(raw: Record<string, string>, field = "metadata"): Record<string, string> {
  const entries = Object.entries(raw);
  if (entries.length > META_KEYS_MAX) {
    throw new InvalidInput(
      `A team can have at most ${META_KEYS_MAX} metadata keys; remove some first.`,
      field,
    );
  }
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.length > META_KEY_MAX) {
      throw new InvalidInput(
        `Metadata key ${describe(key)} must be 1 to ${META_KEY_MAX} letters, digits, ., - or _ (like costCenter).`,
        field,
      );
    }
    if (typeof value !== "string" || value.length > META_VALUE_MAX || /\p{Cc}/u.test(value)) {
      throw new InvalidInput(
        `Metadata value for ${key} must be text of at most ${META_VALUE_MAX} characters, without control characters.`,
        field,
      );
    }
  }
  return raw;
}

export function pageNumber(raw: unknown): number {
  const page = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(page) || page < 1 || page > 100_000) {
    throw new InvalidInput("A page is a whole number from 1 (like page=2).", "page");
  }
  return page;
}

/** A short, safe rendering of a user's input inside an error sentence. */
export function describe(raw: unknown): string {
  const text = typeof raw === "string" ? raw : (JSON.stringify(raw) ?? String(raw));
  const clipped = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `“${clipped.replace(/[\p{Cc}]/gu, "")}”`;
}
