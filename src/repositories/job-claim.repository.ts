import type { EntityManager } from "typeorm";
import { JobClaimEntity } from "../../entities";

/** What names one piece of scheduled work: unique in job_claims. */
export interface ClaimKey {
  workspaceId: string;
  job: string;
  subject: string;
  period: string;
}

export class JobClaimRepository {
  constructor(private readonly manager: EntityManager) {}

  private get claims() {
    return this.manager.getRepository(JobClaimEntity);
  }

  /**
   * Makes sure a row exists for each piece of work; rows already there (made by this process or
   * another) are left as they are. INSERT … IGNORE / OR IGNORE: the unique key decides.
   */
  async ensure(keys: ClaimKey[], now: number): Promise<void> {
    const rows = keys.map((key) => ({
      ...key,
      status: "pending" as const,
      owner: null,
      leaseUntil: 0,
      attempts: 0,
      progress: "{}",
      outcome: null,
      createdAt: now,
      updatedAt: now,
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await this.claims
        .createQueryBuilder()
        .insert()
        .into(JobClaimEntity)
        .values(rows.slice(start, start + 500))
        .orIgnore()
        .execute();
    }
  }

  /**
   * Takes the lease on a pending piece of work that nobody holds (or whose holder's lease ran out,
   * say because that process died): one conditional UPDATE, so of several processes asking at once
   * exactly one gets it. Returns the row when this caller got it.
   */
  async take(key: ClaimKey, owner: string, now: number, leaseMs: number): Promise<JobClaimEntity | null> {
    const result = await this.claims
      .createQueryBuilder()
      .update()
      .set({ owner, leaseUntil: now + leaseMs, attempts: () => "attempts + 1", updatedAt: now })
      .where(
        "workspace_id = :workspaceId AND job = :job AND subject = :subject AND period = :period" +
          " AND status = 'pending' AND lease_until <= :now",
        { ...key, now },
      )
      .execute();
    if ((result.affected ?? 0) === 0) return null;
    return this.claims.findOneBy({ ...key, owner, status: "pending" });
  }

  /** Records the steps done so far and extends the lease; false when the lease is no longer ours. */
  async progress(
    id: number,
    owner: string,
    progress: string,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    const result = await this.claims
      .createQueryBuilder()
      .update()
      .set({ progress, leaseUntil: now + leaseMs, updatedAt: now })
      .where("id = :id AND owner = :owner AND status = 'pending'", { id, owner })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Marks the work done, for good; false when the lease is no longer ours. */
  async finish(id: number, owner: string, outcome: string, progress: string, now: number): Promise<boolean> {
    const result = await this.claims
      .createQueryBuilder()
      .update()
      .set({ status: "done", outcome, progress, owner: null, updatedAt: now })
      .where("id = :id AND owner = :owner AND status = 'pending'", { id, owner })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Gives the lease back so that a later tick (of any process) tries again from `retryAt`. */
  async release(id: number, owner: string, retryAt: number, outcome: string, now: number): Promise<void> {
    await this.claims
      .createQueryBuilder()
      .update()
      .set({ owner: null, leaseUntil: retryAt, outcome, updatedAt: now })
      .where("id = :id AND owner = :owner AND status = 'pending'", { id, owner })
      .execute();
  }

  async find(key: ClaimKey): Promise<JobClaimEntity | null> {
    return this.claims.findOneBy({ ...key });
  }

  /** The subjects whose work for this job and period is done, per workspace. */
  async doneSubjects(job: string, period: string): Promise<{ workspaceId: string; subject: string }[]> {
    return this.claims.find({
      select: { workspaceId: true, subject: true },
      where: { job, period, status: "done" },
    });
  }
}
