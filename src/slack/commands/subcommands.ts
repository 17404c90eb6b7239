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
import { teamInvite } from "./team-invite.command";
import { teamInvites } from "./team-invites.command";
import { teamRequest } from "./team-request.command";
import { teamLimit } from "./team-limit.command";
import { teamUsage } from "./team-usage.command";
import { teamKey } from "./team-key.command";
import { teamDigest } from "./team-digest.command";
import { teamSync } from "./team-sync.command";

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
  teamInvite,
  teamInvites,
  teamLimit,
  teamRequest,
  teamSync,
  teamUsage,
  teamDigest,
  teamKey,
];

export function findSubcommand(name: string): Subcommand | undefined {
  return SUBCOMMANDS.find((s) => s.name === name);
}
