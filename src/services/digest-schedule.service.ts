import type { Database } from "../db/database";
import type { ClaimKey } from "../repositories/job-claim.repository";
import type { JobClaimService } from "./job-claim.service";

export const DIGEST_JOB = "digest";

/** A team owed a digest for a period, and the claim that makes sure it gets exactly one. */
export interface DueDigest {
  workspaceId: string;
  teamId: number;
  channelId: string;
  key: ClaimKey;
}

/**
 * Which teams are owed the digest of a period: every team with a channel that existed when the
 * digest fell due, less those whose digest for that period is done (SPEC section 4: once per team
 * and period). The claims themselves are JobClaimService's.
 */
export class DigestScheduleService {
  constructor(
    private readonly db: Database,
    private readonly claims: JobClaimService,
  ) {}

  /** The teams still owed `period`'s digest (their claim rows made), as of the moment it fell due. */
  async due(period: string, dueAt: number): Promise<DueDigest[]> {
    const [teams, done] = await Promise.all([
      this.db.read((repos) => repos.teams.withChannel(dueAt)),
      this.claims.done(DIGEST_JOB, period),
    ]);
    const owed = teams
      .filter((team) => !done.has(`${team.workspaceId}/${team.id}`))
      .map((team) => ({
        workspaceId: team.workspaceId,
        teamId: team.id,
        channelId: team.channelId ?? "",
        key: digestClaimKey(team.workspaceId, team.id, period),
      }));
    await this.claims.ensure(owed.map((d) => d.key));
    return owed;
  }
}

export function digestClaimKey(workspaceId: string, teamId: number, period: string): ClaimKey {
  return { workspaceId, job: DIGEST_JOB, subject: String(teamId), period };
}
