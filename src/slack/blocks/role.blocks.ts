import type { KnownBlock } from "@slack/types";
import type { RoleEntity } from "../../../entities";
import { OWNER_ONLY, PERMISSIONS, type Permission } from "../../domain/permissions";
import type { Reply } from "../reply";
import { actions, button, context, escapeText, header, plural, section } from "./common";

/**
 * What each catalog permission lets its holder do, one line each. A Record over Permission, so a
 * permission added to the catalog without a line here fails to compile.
 */
export const PERMISSION_HELP: Record<Permission, string> = {
  "team:view": "see the team, its settings and its members",
  "team:update":
    "change the team's settings (name, parent, channel, policy, visibility, metadata), grant permissions to it and share resources with it",
  "members:manage": "add, move and remove members, change their roles, deactivate and reactivate them",
  "invites:manage": "invite people, resend and revoke invitations",
  "joins:decide": "approve or deny join requests and limit requests",
  "limits:manage": "set token limits on members and the team's budget",
  "usage:view_all": "see every member's usage (everyone always sees their own)",
  "keys:manage": "create, list and revoke the team's API keys",
  "team:delete": "delete the team",
  "team:transfer": "hand the team's ownership to someone else",
};

/** Roles on one page of `/team roles`; Slack keeps a message to 50 blocks and a section to 3,000 characters. */
export const ROLES_PER_PAGE = 20;
const ROLES_PER_SECTION = 5;

function roleLine(role: RoleEntity): string {
  const kind = role.builtIn ? "built in" : "custom";
  const description = role.description ? ` ${escapeText(role.description)}` : "";
  const permissions = role.permissions.map((p) => `\`${escapeText(p)}\``).join(", ");
  return `• *${escapeText(role.name)}* _(${kind})_${description}\n      ${permissions || "no permissions"}`;
}

function catalogLines(): string {
  return PERMISSIONS.map(
    (p) => `• \`${p}\`: ${PERMISSION_HELP[p]}${OWNER_ONLY.includes(p) ? " _(owner only)_" : ""}`,
  ).join("\n");
}

/** `/team roles`: every role with its permissions, a page at a time, then the permission catalog. */
export function rolesReply(roles: RoleEntity[], requestedPage = 1): Reply {
  const pages = Math.max(1, Math.ceil(roles.length / ROLES_PER_PAGE));
  const page = Math.min(requestedPage, pages);
  const shown = roles.slice((page - 1) * ROLES_PER_PAGE, page * ROLES_PER_PAGE);
  const custom = roles.filter((r) => !r.builtIn).length;

  const blocks: KnownBlock[] = [header("Roles")];
  for (let i = 0; i < shown.length; i += ROLES_PER_SECTION) {
    blocks.push(
      section(
        shown
          .slice(i, i + ROLES_PER_SECTION)
          .map(roleLine)
          .join("\n"),
      ),
    );
  }
  if (custom === 0) {
    blocks.push(
      context(
        'No custom roles yet. Org admins create them: `/team role-create <name> <permission,…> [description="…"]`.',
      ),
    );
  }
  if (pages > 1) blocks.push(context(`Page ${page} of ${pages} · ${plural(roles.length, "role")}`));
  const pager = [];
  if (page > 1) pager.push(button("◀ Previous", "team_page:previous", `roles page=${page - 1}`));
  if (page < pages) pager.push(button("Next ▶", "team_page:next", `roles page=${page + 1}`));
  if (pager.length) blocks.push(actions("pager", pager));
  blocks.push(header("Permissions"), section(catalogLines()));
  blocks.push(
    context(
      "Give a role with `/team role <team> @someone <role>`; grant a permission to a whole team with `/team grant <team> <permission>`.",
    ),
  );
  const names = roles.map((r) => r.name).join(", ");
  return {
    text: `${plural(roles.length, "role")}: ${names.length > 200 ? `${names.slice(0, 199)}…` : names}.`,
    blocks,
  };
}

export function roleCreatedReply(role: RoleEntity): Reply {
  const permissions = role.permissions.map((p) => `\`${escapeText(p)}\``).join(", ");
  return {
    text: `Created the role ${role.name} with ${role.permissions.join(", ")}.`,
    blocks: [
      section(`:white_check_mark: Created the role *${escapeText(role.name)}* with ${permissions}.`),
      context(
        `\`team:view\` is part of every role. Give it with \`/team role <team> @someone ${escapeText(role.name)}\`; \`/team roles\` lists every role.`,
      ),
    ],
  };
}

export function roleDeletedReply(role: RoleEntity): Reply {
  return {
    text: `Deleted the role ${role.name}.`,
    blocks: [
      section(`:wastebasket: Deleted the role *${escapeText(role.name)}*.`),
      context("`/team roles` lists the roles that remain."),
    ],
  };
}
