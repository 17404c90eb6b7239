import { ApiKeyEntity } from "./api-key.entity";
import { ApprovalMessageEntity } from "./approval-message.entity";
import { ApprovalRequestEntity } from "./approval-request.entity";
import { AuditEventEntity } from "./audit-event.entity";
import { InvitationEntity } from "./invitation.entity";
import { JobClaimEntity } from "./job-claim.entity";
import { LimitCounterEntity } from "./limit-counter.entity";
import { LimitNoticeEntity } from "./limit-notice.entity";
import { LimitEntity } from "./limit.entity";
import { MembershipEntity } from "./membership.entity";
import { RoleEntity } from "./role.entity";
import { SharedResourceEntity } from "./shared-resource.entity";
import { SlackDeliveryEntity } from "./slack-delivery.entity";
import { SpendVersionEntity } from "./spend-version.entity";
import { TeamGrantEntity } from "./team-grant.entity";
import { TeamSyncEntity } from "./team-sync.entity";
import { TeamEntity } from "./team.entity";
import { UsageEventEntity } from "./usage-event.entity";
import { WorkspaceEntity } from "./workspace.entity";

export {
  LimitCounterEntity,
  LimitNoticeEntity,
  ApiKeyEntity,
  ApprovalMessageEntity,
  ApprovalRequestEntity,
  AuditEventEntity,
  InvitationEntity,
  JobClaimEntity,
  LimitEntity,
  MembershipEntity,
  RoleEntity,
  SharedResourceEntity,
  SlackDeliveryEntity,
  SpendVersionEntity,
  TeamGrantEntity,
  TeamEntity,
  TeamSyncEntity,
  UsageEventEntity,
  WorkspaceEntity,
};

export const allEntities = [
  LimitCounterEntity,
  LimitNoticeEntity,
  WorkspaceEntity,
  TeamEntity,
  RoleEntity,
  MembershipEntity,
  TeamGrantEntity,
  SharedResourceEntity,
  InvitationEntity,
  ApprovalRequestEntity,
  ApprovalMessageEntity,
  LimitEntity,
  UsageEventEntity,
  ApiKeyEntity,
  AuditEventEntity,
  SlackDeliveryEntity,
  JobClaimEntity,
  TeamSyncEntity,
  SpendVersionEntity,
];

export type { ApprovalKind, ApprovalStatus } from "./approval-request.entity";
export type { AuditDetails } from "./audit-event.entity";
export type { InvitationStatus } from "./invitation.entity";
export type { JobClaimStatus } from "./job-claim.entity";
export type { LimitPeriod, LimitScope } from "./limit.entity";
export type { MembershipStatus } from "./membership.entity";
export type { JoinPolicy, ResourceSharing, Visibility } from "./team.entity";
