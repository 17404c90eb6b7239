import { randomUUID } from "node:crypto";
import type { JobClaimEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import type { ClaimKey } from "../repositories/job-claim.repository";

export type { ClaimKey };

/** Thrown when a process finds that the lease it held has passed to another process. */
export class LeaseLost extends Error {
  constructor(key: ClaimKey) {
    super(`the lease on ${key.job} ${key.subject} ${key.period} passed to another process`);
    this.name = "LeaseLost";
  }
}

/**
 * Scheduled work done once across any number of processes (SPEC section 7). Every process runs
 * every job; for each piece of work (a job, a subject such as a team, a period) the database holds
 * one row, and a process works on it only while it holds that row's lease, taken with one
 * conditional UPDATE. A process that dies leaves its lease to run out, and the next tick of any
 * process carries on from the steps the row says were done.
 */
export class JobClaimService {
  /** This process's name in the lease column. */
  readonly owner = randomUUID();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Creates the rows for these pieces of work, leaving alone those that exist. */
  async ensure(keys: ClaimKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.transaction((repos) => repos.jobClaims.ensure(keys, this.clock.now()));
  }

  /** The lease on a pending piece of work, or null when it is done or another process holds it. */
  async take<Progress extends object = Record<string, unknown>>(
    key: ClaimKey,
    leaseMs: number,
  ): Promise<HeldClaim<Progress> | null> {
    const row = await this.db.transaction((repos) =>
      repos.jobClaims.take(key, this.owner, this.clock.now(), leaseMs),
    );
    return row ? new HeldClaim<Progress>(this.db, this.clock, row, key, leaseMs) : null;
  }

  async find(key: ClaimKey): Promise<JobClaimEntity | null> {
    return this.db.read((repos) => repos.jobClaims.find(key));
  }

  /** Subjects whose work is done for this job and period, as `workspaceId/subject`. */
  async done(job: string, period: string): Promise<Set<string>> {
    const rows = await this.db.read((repos) => repos.jobClaims.doneSubjects(job, period));
    return new Set(rows.map((row) => `${row.workspaceId}/${row.subject}`));
  }
}

/** A lease this process holds: record progress as steps finish, then finish or release. */
export class HeldClaim<Progress extends object = Record<string, unknown>> {
  progress: Progress;
  readonly attempts: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly row: JobClaimEntity,
    readonly key: ClaimKey,
    private readonly leaseMs: number,
  ) {
    this.progress = JSON.parse(row.progress) as Progress;
    this.attempts = row.attempts;
  }

  /** Saves the progress and renews the lease; throws LeaseLost when another process has it now. */
  async save(progress: Progress): Promise<void> {
    this.progress = progress;
    const kept = await this.db.transaction((repos) =>
      repos.jobClaims.progress(
        this.row.id,
        this.row.owner ?? "",
        JSON.stringify(progress),
        this.clock.now(),
        this.leaseMs,
      ),
    );
    if (!kept) throw new LeaseLost(this.key);
  }

  /** The work is done: no process will take it again. */
  async finish(outcome: string): Promise<void> {
    const kept = await this.db.transaction((repos) =>
      repos.jobClaims.finish(
        this.row.id,
        this.row.owner ?? "",
        outcome,
        JSON.stringify(this.progress),
        this.clock.now(),
      ),
    );
    if (!kept) throw new LeaseLost(this.key);
  }

  /** Hands the work back, to be tried again (by any process) from `retryInMs` from now. */
  async release(retryInMs: number, outcome: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction((repos) =>
      repos.jobClaims.release(this.row.id, this.row.owner ?? "", now + retryInMs, outcome, now),
    );
  }
}
