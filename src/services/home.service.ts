import type { MembershipStatus, TeamEntity } from "../../entities";
import type { Database } from "../db/database";
import type { Actor } from "./actor";
import type { ApprovalService, RequestView } from "./approval.service";
import type { InvitationService, InvitationView } from "./invitation.service";
import type { Policy } from "./policy";

export interface HomeTeam {
  team: TeamEntity;
  role: string;
  status: MembershipStatus;
  memberCount: number;
  /** The user may manage members here (admins and owners). */
  canManage: boolean;
}

export interface HomeOverview {
  userId: string;
  isOrgAdmin: boolean;
  teams: HomeTeam[];
  /** Invitations waiting for this user's answer. */
  invitations: InvitationView[];
  /** Requests this user may decide. */
  waiting: RequestView[];
  /** This user's own requests, still undecided. */
  requests: RequestView[];
}

/** What a user's App Home shows: their teams and standing, and what waits for them. */
export class HomeService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly invitations: InvitationService,
    private readonly approvals: ApprovalService,
  ) {}

  async overview(actor: Actor): Promise<HomeOverview> {
    return this.db.read(async (repos) => {
      const mine = await repos.memberships.teamsOf(actor.workspaceId, actor.userId);
      const counts = await repos.teams.memberCounts(mine.map((m) => m.team.id));
      const teams: HomeTeam[] = [];
      for (const { team, membership } of mine) {
        const permissions = await this.policy.permissions(repos, actor, team);
        teams.push({
          team,
          role: membership.role.name,
          status: membership.status,
          memberCount: counts.get(team.id) ?? 0,
          canManage: permissions.has("members:manage"),
        });
      }
      return {
        userId: actor.userId,
        isOrgAdmin: await this.policy.isOrgAdmin(actor),
        teams,
        invitations: await this.invitations.mine(actor),
        waiting: await this.approvals.waitingFor(actor),
        requests: await this.approvals.mine(actor),
      };
    });
  }
}
