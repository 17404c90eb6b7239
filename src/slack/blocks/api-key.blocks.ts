import type { TeamEntity } from "../../../entities";
import type { KeySummary } from "../../services/api-key.service";
import type { Reply } from "../reply";
import { commandName, context, escapeText, header, mention, plural, section, slackDate } from "./common";
import { packLines } from "./team-admin.blocks";

function teamRef(team: TeamEntity): string {
  return `*${escapeText(team.name)}*`;
}

function commandTeam(team: TeamEntity): string {
  return escapeText(commandName(team.name));
}

/**
 * `/team key create`: the only time the key is ever shown. It travels in the blocks only, not in
 * the notification text, and the reply is ephemeral like every command reply.
 */
export function keyCreatedReply(team: TeamEntity, name: string, key: string): Reply {
  return {
    text: `Created API key ${name} for ${team.name}. Copy it now: it is shown only once.`,
    blocks: [
      section(`:key: Created API key *${escapeText(name)}* for ${teamRef(team)}:`),
      section(`\`\`\`${key}\`\`\``),
      section(
        ":warning: *Copy it now and store it somewhere safe (a secret manager).* Roster keeps only a hash of it and can't show it again.",
      ),
      context(
        `Send it as \`Authorization: Bearer <key>\` to Roster's API. If it leaks: \`/team key revoke ${commandTeam(team)} ${escapeText(name)}\`.`,
      ),
    ],
  };
}

/** `/team key list`: one row per live key, with the first characters of the key, never all of it. */
export function keyListReply(team: TeamEntity, keys: KeySummary[]): Reply {
  if (keys.length === 0) {
    return {
      text: `${team.name} has no API keys.`,
      blocks: [
        section(
          `${teamRef(team)} has no API keys. Create one with \`/team key create ${commandTeam(team)} <name>\`.`,
        ),
      ],
    };
  }
  const rows = keys.map(
    (k) =>
      `*${escapeText(k.name)}* · \`${escapeText(k.keyPrefix)}…\` · created by ${mention(k.createdBy)} ${slackDate(k.createdAt)} · ${
        k.lastUsedAt === null ? "never used" : `last used ${slackDate(k.lastUsedAt, "{date_short} {time}")}`
      }`,
  );
  const { sections } = packLines(rows, 10);
  return {
    text: `${team.name} has ${plural(keys.length, "API key")}: ${keys.map((k) => k.name).join(", ")}.`,
    blocks: [
      header(`API keys of ${team.name}`),
      ...sections.map((s) => section(s)),
      context(`Revoke one with \`/team key revoke ${commandTeam(team)} <name>\`; it stops working at once.`),
    ],
  };
}

export function keyRevokedReply(team: TeamEntity, key: KeySummary): Reply {
  return {
    text: `Revoked API key ${key.name} of ${team.name}; requests with it are refused from now on.`,
    blocks: [
      section(
        `:white_check_mark: Revoked API key *${escapeText(key.name)}* (\`${escapeText(key.keyPrefix)}…\`) of ${teamRef(team)}; requests with it are refused from now on.`,
      ),
    ],
  };
}
