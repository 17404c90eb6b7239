import type { AuditDetails, AuditEventEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import { Forbidden, InvalidInput } from "../domain/errors";
import { pageNumber } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { Database } from "../db/database";
import type { Actor } from "./actor";
import type { Policy } from "./policy";

export interface AuditEntry {
  teamId: number | null;
  action: string;
  targetType: string;
  targetId: string;
  before?: AuditDetails | null;
  after?: AuditDetails | null;
}

export interface ActivityPage {
  team: TeamEntity;
  events: AuditEventEntity[];
  total: number;
  page: number;
  pages: number;
}

const DAY = 86_400_000;

/** The audit trail: every change records who did what to what, before and after. */
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /** Writes one event with the repositories of the change's own transaction: both land or neither. */
  async record(repos: Repositories, actor: Actor, entry: AuditEntry): Promise<void> {
    await repos.audit.insert({
      workspaceId: actor.workspaceId,
      teamId: entry.teamId,
      actorUserId: actor.userId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before ?? null,
      after: entry.after ?? null,
      createdAt: this.clock.now(),
    });
  }

  /**
   * A team's history, newest first. Members of the team and org admins may read it: it shows
   * who changed roles and limits, which outsiders to a team need not see.
   */
  async activity(
    actor: Actor,
    teamName: string,
    options: { sinceDays?: number; page?: number; pageSize?: number } = {},
  ): Promise<ActivityPage> {
    const sinceDays = options.sinceDays ?? 7;
    const page = pageNumber(options.page ?? 1);
    const pageSize = options.pageSize ?? 20;
    if (!Number.isInteger(sinceDays) || sinceDays < 1 || sinceDays > 3650) {
      throw new InvalidInput("since is a number of days from 1 to 3650, like since=30d.", "since");
    }
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new InvalidInput("limit is a number of events from 1 to 100, like limit=50.", "limit");
    }
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      const member = await repos.memberships.find(team.id, actor.userId);
      if (!member && !(await this.policy.isOrgAdmin(actor))) {
        throw new Forbidden(
          `Only members of ${team.name} and org admins can read its activity.`,
          "team:view",
        );
      }
      const until = this.clock.now() + 1;
      const { events, total } = await repos.audit.list({
        workspaceId: actor.workspaceId,
        teamId: team.id,
        since: until - sinceDays * DAY,
        until,
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      return { team, events, total, page, pages: Math.max(1, Math.ceil(total / pageSize)) };
    });
  }
}
