import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

/** An 80% or 100% notice already sent: the unique index makes it once per limit, subject, period and threshold. */
@Entity("limit_notices")
@Index("uq_limit_notices_once", ["limitId", "subjectKey", "periodStart", "threshold"], { unique: true })
export class LimitNoticeEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: "integer", name: "limit_id" })
  limitId: number;

  @Column(slackIdColumn({ name: "subject_key" }))
  subjectKey: string;

  @Column({ type: "varchar", length: 10, name: "period_start" })
  periodStart: string;

  @Column({ type: "integer" })
  threshold: number;

  @Column(timeColumn({ name: "sent_at" }))
  sentAt: number;
}
