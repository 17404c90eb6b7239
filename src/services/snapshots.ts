import type { AuditDetails, MembershipEntity, TeamEntity } from "../../entities";

/** What the audit trail keeps of a team: its settings, not its bookkeeping. */
export function teamSnapshot(team: TeamEntity): AuditDetails {
  return {
    name: team.name,
    description: team.description,
    parentId: team.parentId,
    channelId: team.channelId,
    visibility: team.visibility,
    joinPolicy: team.joinPolicy,
    resourceSharing: team.resourceSharing,
    metadata: team.metadata,
  };
}

export function membershipSnapshot(membership: MembershipEntity, roleName: string): AuditDetails {
  return { userId: membership.userId, role: roleName, status: membership.status };
}
