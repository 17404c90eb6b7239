import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { AccessService } from "./access.service";
import { ApiKeyService } from "./api-key.service";
import { ApprovalService } from "./approval.service";
import { AuditService } from "./audit.service";
import { DeliveryService } from "./delivery.service";
import { DigestService } from "./digest.service";
import { DigestScheduleService } from "./digest-schedule.service";
import { HomeService } from "./home.service";
import { InvitationService } from "./invitation.service";
import { JobClaimService } from "./job-claim.service";
import { LimitService } from "./limit.service";
import { MemberService } from "./member.service";
import { OrgAdminDirectory, type WorkspaceAdminLookup } from "./org-admins";
import { Policy } from "./policy";
import { RoleService } from "./role.service";
import { TeamService } from "./team.service";
import { TeamSyncService } from "./team-sync.service";
import { UsageReportService } from "./usage-report.service";
import { UsageService } from "./usage.service";

export interface ServiceDependencies {
  db: Database;
  clock: Clock;
  /** User IDs from ORG_ADMINS. */
  orgAdmins: readonly string[];
  /** TIMEZONE: where daily, weekly and monthly limit periods begin. */
  timeZone: string;
  /** INVITE_TTL_DAYS: how long an invitation stays pending. */
  inviteTtlDays: number;
  /** Whether Slack says the user is a workspace admin or owner. */
  workspaceAdminLookup: WorkspaceAdminLookup;
  onLookupError?: (error: unknown) => void;
}

export type Services = ReturnType<typeof createServices>;

/** Wires the services together. The Slack app, the console, the HTTP API, jobs and tests all use this. */
export function createServices(deps: ServiceDependencies) {
  const { db, clock } = deps;
  const policy = new Policy(
    new OrgAdminDirectory(deps.orgAdmins, deps.workspaceAdminLookup, clock, deps.onLookupError),
  );
  const audit = new AuditService(db, policy, clock);
  const invitations = new InvitationService(db, policy, audit, clock, deps.inviteTtlDays);
  const limits = new LimitService(db, policy, audit, clock, deps.timeZone);
  const approvals = new ApprovalService(db, policy, audit, clock, limits);
  const jobClaims = new JobClaimService(db, clock);
  return {
    policy,
    audit,
    teams: new TeamService(db, policy, audit, clock),
    members: new MemberService(db, policy, audit, clock),
    roles: new RoleService(db, policy, audit, clock),
    access: new AccessService(db, policy, audit, clock),
    invitations,
    approvals,
    limits,
    usage: new UsageService(db, clock, deps.timeZone),
    usageReports: new UsageReportService(db, clock, deps.timeZone, policy),
    apiKeys: new ApiKeyService(db, policy, audit, clock),
    home: new HomeService(db, policy, invitations, approvals),
    deliveries: new DeliveryService(db, clock),
    digests: new DigestService(db, policy, clock, deps.timeZone),
    teamSync: new TeamSyncService(db, policy, audit, clock),
    jobClaims,
    digestSchedule: new DigestScheduleService(db, jobClaims),
    /** Runs service calls and rolls them all back: what a preview uses (see Database.rehearse). */
    rehearse: <T>(work: () => Promise<T>) => db.rehearse(work),
  };
}
