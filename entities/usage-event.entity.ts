import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn, tokensColumn } from "./columns";

/** One recorded spend. The unique (team, transactionId) index is what makes a retried report a duplicate. */
@Entity("usage_events")
@Index("uq_usage_events_team_transaction", ["teamId", "transactionId"], { unique: true })
@Index("ix_usage_events_team_time", ["teamId", "occurredAt"])
@Index("ix_usage_events_team_user_time", ["teamId", "userId", "occurredAt"])
export class UsageEventEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column(slackIdColumn({ name: "user_id" }))
  userId: string;

  @Column(tokensColumn())
  tokens: number;

  @Column({ type: "varchar", length: 191 })
  resource: string;

  @Column({ type: "varchar", length: 191, name: "transaction_id" })
  transactionId: string;

  @Column(timeColumn({ name: "occurred_at" }))
  occurredAt: number;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
