import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn, tokensColumn } from "./columns";

/** `member`: one user in the team; `default`: each member of the team; `budget`: the team's combined spend. */
export type LimitScope = "member" | "default" | "budget";
export type LimitPeriod = "none" | "daily" | "weekly" | "monthly";

/** `subjectKey` is the user for a member limit and "" otherwise, so the unique index never meets a NULL. */
@Entity("limits")
@Index("uq_limits_team_scope_subject", ["teamId", "scope", "subjectKey"], { unique: true })
export class LimitEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column({ type: "varchar", length: 16 })
  scope: LimitScope;

  @Column(slackIdColumn({ name: "subject_key", default: "" }))
  subjectKey: string;

  @Column(tokensColumn({ name: "transaction_max", nullable: true }))
  transactionMax: number | null;

  @Column(tokensColumn({ name: "total_max", nullable: true }))
  totalMax: number | null;

  @Column({ type: "varchar", length: 16, default: "none" })
  period: LimitPeriod;

  @Column(slackIdColumn({ name: "set_by" }))
  setBy: string;

  @Column(timeColumn({ name: "updated_at" }))
  updatedAt: number;
}
