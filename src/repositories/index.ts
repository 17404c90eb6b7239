import type { EntityManager } from "typeorm";
import type { Dialect } from "../db/data-source";
import { ApiKeyRepository } from "./api-key.repository";
import { ApprovalRepository } from "./approval.repository";
import { AuditRepository } from "./audit.repository";
import { CounterRepository } from "./counter.repository";
import { DeliveryRepository } from "./delivery.repository";
import { DigestRepository } from "./digest.repository";
import { GrantRepository } from "./grant.repository";
import { InvitationRepository } from "./invitation.repository";
import { JobClaimRepository } from "./job-claim.repository";
import { LimitRepository } from "./limit.repository";
import { MembershipRepository } from "./membership.repository";
import { ResourceRepository } from "./resource.repository";
import { RoleRepository } from "./role.repository";
import { TeamRepository } from "./team.repository";
import { TeamSyncRepository } from "./team-sync.repository";
import { UsageRepository } from "./usage.repository";
import { WorkspaceRepository } from "./workspace.repository";

/**
 * The repositories of one unit of work, all bound to the same EntityManager (and so to the same
 * transaction when there is one). Built by Database; services never construct them.
 */
export class Repositories {
  readonly workspaces: WorkspaceRepository;
  readonly teams: TeamRepository;
  readonly memberships: MembershipRepository;
  readonly roles: RoleRepository;
  readonly grants: GrantRepository;
  readonly resources: ResourceRepository;
  readonly audit: AuditRepository;
  readonly deliveries: DeliveryRepository;
  readonly invitations: InvitationRepository;
  readonly approvals: ApprovalRepository;
  readonly limits: LimitRepository;
  readonly counters: CounterRepository;
  readonly usage: UsageRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly digests: DigestRepository;
  readonly teamSyncs: TeamSyncRepository;
  readonly jobClaims: JobClaimRepository;

  constructor(manager: EntityManager, dialect: Dialect) {
    this.workspaces = new WorkspaceRepository(manager, dialect);
    this.teams = new TeamRepository(manager, dialect);
    this.memberships = new MembershipRepository(manager);
    this.roles = new RoleRepository(manager);
    this.grants = new GrantRepository(manager);
    this.resources = new ResourceRepository(manager);
    this.audit = new AuditRepository(manager);
    this.deliveries = new DeliveryRepository(manager);
    this.invitations = new InvitationRepository(manager);
    this.approvals = new ApprovalRepository(manager);
    this.limits = new LimitRepository(manager);
    this.counters = new CounterRepository(manager, dialect);
    this.usage = new UsageRepository(manager);
    this.apiKeys = new ApiKeyRepository(manager);
    this.digests = new DigestRepository(manager);
    this.teamSyncs = new TeamSyncRepository(manager);
    this.jobClaims = new JobClaimRepository(manager);
  }
}

export type {
  AuditRepository,
  DeliveryRepository,
  GrantRepository,
  MembershipRepository,
  ResourceRepository,
  RoleRepository,
  TeamRepository,
  WorkspaceRepository,
};
