import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

export type JobClaimStatus = "pending" | "done";

/**
 * One piece of scheduled work (a job, a subject such as a team, a period), done once across every
 * process. The unique key makes the row itself the claim; the lease says which process holds it
 * until when, so work a crashed process left half-way is taken up again when its lease runs out.
 * `progress` records the steps already done (the digest's message ts, its chart's file id), so a
 * second attempt carries on rather than repeating them.
 */
@Entity("job_claims")
@Index("uq_job_claims_work", ["workspaceId", "job", "subject", "period"], { unique: true })
@Index("ix_job_claims_job_period", ["job", "period", "status"])
export class JobClaimEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "varchar", length: 32 })
  job: string;

  @Column({ type: "varchar", length: 64 })
  subject: string;

  @Column({ type: "varchar", length: 32 })
  period: string;

  @Column({ type: "varchar", length: 16 })
  status: JobClaimStatus;

  /** The process holding the lease (a random id per process), null when nobody does. */
  @Column({ type: "varchar", length: 64, nullable: true })
  owner: string | null;

  @Column(timeColumn({ name: "lease_until" }))
  leaseUntil: number;

  @Column({ type: "integer" })
  attempts: number;

  /** JSON: the steps done so far. */
  @Column({ type: "text" })
  progress: string;

  @Column({ type: "varchar", length: 191, nullable: true })
  outcome: string | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;

  @Column(timeColumn({ name: "updated_at" }))
  updatedAt: number;
}
