import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, tokensColumn } from "./columns";

/**
 * Tokens spent under one limit by one subject in one period. `subjectKey` is the user for member
 * and default limits and "" for a budget; `periodStart` is the period's first day (YYYY-MM-DD in
 * TIMEZONE), or "" for a lifetime limit.
 */
@Entity("limit_counters")
@Index("uq_limit_counters_limit_subject_period", ["limitId", "subjectKey", "periodStart"], { unique: true })
export class LimitCounterEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: "integer", name: "limit_id" })
  limitId: number;

  @Column(slackIdColumn({ name: "subject_key" }))
  subjectKey: string;

  @Column({ type: "varchar", length: 10, name: "period_start" })
  periodStart: string;

  @Column(tokensColumn())
  tokens: number;
}
