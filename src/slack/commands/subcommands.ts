import type { Subcommand } from "./subcommand";
import { teamCreate } from "./team-create.command";
import { teamHelp } from "./team-help.command";
import { teamInfo } from "./team-info.command";
import { teamTree } from "./team-tree.command";
import { teamEdit } from "./team-edit.command";
import { teamSet } from "./team-set.command";
import { teamDelete } from "./team-delete.command";
import { teamJoin } from "./team-join.command";
import { teamLeave } from "./team-leave.command";
import { teamActivity } from "./team-activity.command";
import { teamList } from "./team-list.command";
import { notYetAvailable } from "./not-yet-available.command";
import { teamMembers } from "./team-members.command";
import { teamAdd } from "./team-add.command";
import { teamMove } from "./team-move.command";
import { teamRole } from "./team-role.command";
import { teamRemove } from "./team-remove.command";
import { teamDeactivate } from "./team-deactivate.command";
import { teamReactivate } from "./team-reactivate.command";
import { teamTransfer } from "./team-transfer.command";
import { teamRoles } from "./team-roles.command";
import { teamRoleCreate } from "./team-role-create.command";
import { teamRoleDelete } from "./team-role-delete.command";
import { teamGrant } from "./team-grant.command";
import { teamRevoke } from "./team-revoke.command";
import { teamShare } from "./team-share.command";
import { teamUnshare } from "./team-unshare.command";

/**
 * Every `/team` subcommand, in the order `/team help` lists them. Each lives in its own
 * `team-<name>.command.ts`; the rule it enforces lives in the service it calls.
 */
export const SUBCOMMANDS: Subcommand[] = [
  teamHelp,
  teamCreate,
  teamList,
  teamInfo,
  teamTree,
  teamEdit,
  teamSet,
  teamDelete,
  teamJoin,
  teamLeave,
  teamActivity,
  teamRoles,
  teamRoleCreate,
  teamRoleDelete,
  teamGrant,
  teamRevoke,
  teamShare,
  teamUnshare,
  teamMembers,
  teamAdd,
  teamMove,
  teamRole,
  teamRemove,
  teamDeactivate,
  teamReactivate,
  teamTransfer,
  notYetAvailable("invite", "/team invite <team> <user|email>… [role=<role>]", "Invite people to a team."),
  notYetAvailable("invites", "/team invites <team>", "Pending invitations, with Resend and Revoke."),
  notYetAvailable(
    "limit",
    "/team limit <team> [<user>] [tx=<tokens>] [total=<tokens>] [period=…] [budget]",
    "Set or explain token limits.",
  ),
  notYetAvailable("request", '/team request <team> total=<tokens> [reason="…"]', "Ask for a higher limit."),
  notYetAvailable(
    "sync",
    "/team sync <team> [handle=<name>]",
    "Keep a user group and the team channel in step.",
  ),
  notYetAvailable(
    "usage",
    "/team usage <team> [<user>] [from=YYYY-MM-DD] [to=YYYY-MM-DD] [by=user|resource|day]",
    "Token usage.",
  ),
  notYetAvailable("digest", "/team digest <team> [post]", "Preview or post the weekly digest."),
  notYetAvailable("key", "/team key create|list|revoke <team> [<name>]", "API keys for the AI platform."),
];

export function findSubcommand(name: string): Subcommand | undefined {
  return SUBCOMMANDS.find((s) => s.name === name);
}
