import type { TeamEntity } from "../../../entities";
import type { Reply } from "../reply";
import { commandName, context, escapeText, section } from "./common";

function teamRef(team: TeamEntity): string {
  return `*${escapeText(team.name)}*`;
}

function code(text: string): string {
  return `\`${escapeText(text)}\``;
}

export function grantedReply(team: TeamEntity, permission: string): Reply {
  const name = escapeText(commandName(team.name));
  return {
    text: `Granted ${permission} to every active member of ${team.name}.`,
    blocks: [
      section(`:white_check_mark: Granted ${code(permission)} to every active member of ${teamRef(team)}.`),
      context(`To take it back: \`/team revoke ${name} ${escapeText(permission)}\`.`),
    ],
  };
}

export function revokedReply(team: TeamEntity, permission: string): Reply {
  return {
    text: `Revoked ${permission} from ${team.name}.`,
    blocks: [
      section(
        `:white_check_mark: Revoked ${code(permission)} from ${teamRef(team)}; its members keep what their roles give them.`,
      ),
    ],
  };
}

export function sharedReply(team: TeamEntity, resource: string, permissions: string[]): Reply {
  const name = escapeText(commandName(team.name));
  const note =
    team.resourceSharing === "admins_only"
      ? `${escapeText(team.name)} shares resources with its admins only; \`/team set ${name} sharing=all_members\` opens them to every member.`
      : `Every active member of ${escapeText(team.name)} may use it. To stop: \`/team unshare ${name} ${escapeText(resource)}\`.`;
  return {
    text: `Shared ${resource} with ${team.name} for ${permissions.join(", ")}.`,
    blocks: [
      section(
        `:white_check_mark: Shared ${code(resource)} with ${teamRef(team)} for ${permissions.map(code).join(", ")}.`,
      ),
      context(note),
    ],
  };
}

export function unsharedReply(team: TeamEntity, resource: string): Reply {
  return {
    text: `Stopped sharing ${resource} with ${team.name}.`,
    blocks: [section(`:white_check_mark: Stopped sharing ${code(resource)} with ${teamRef(team)}.`)],
  };
}
