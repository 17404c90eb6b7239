import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, tokensColumn } from "./columns";

/**
 * A running total of tokens for one subject and period, so a spend check reads a few rows instead
 * of summing history. `userKey` is the user, or "" for the team's combined total; `periodStart` is
 * the period's first day (YYYY-MM-DD in TIMEZONE), or "" for the lifetime total.
 */
@Entity("usage_totals")
@Index("uq_usage_totals_subject_period", ["teamId", "userKey", "period", "periodStart"], { unique: true })
export class UsageTotalEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column(slackIdColumn({ name: "user_key" }))
  userKey: string;

  @Column({ type: "varchar", length: 16 })
  period: string;

  @Column({ type: "varchar", length: 10, name: "period_start" })
  periodStart: string;

  @Column(tokensColumn())
  tokens: number;
}
