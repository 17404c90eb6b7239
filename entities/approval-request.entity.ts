import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { jsonColumn, slackIdColumn, timeColumn } from "./columns";

export type ApprovalKind = "join" | "limit";
export type ApprovalStatus = "pending" | "approved" | "denied";

/**
 * A join request or a limit request: both are asked, carried on a Slack card with Approve/Deny and
 * decided once (its cards are ApprovalMessageEntity rows). `pendingKey` (requester while pending, NULL after) allows one open request of a
 * kind per user and team; the decision itself is a conditional UPDATE ... WHERE status = 'pending'.
 */
@Entity("approval_requests")
@Index("uq_approval_requests_pending", ["teamId", "kind", "pendingKey"], { unique: true })
@Index("ix_approval_requests_status_created", ["status", "createdAt"])
export class ApprovalRequestEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column({ type: "varchar", length: 16 })
  kind: ApprovalKind;

  @Column(slackIdColumn({ name: "requester_user_id" }))
  requesterUserId: string;

  @Column(slackIdColumn({ name: "pending_key", nullable: true }))
  pendingKey: string | null;

  @Column({ type: "varchar", length: 16, default: "pending" })
  status: ApprovalStatus;

  /** What is asked: for a limit request `{ total, reason }`; empty for a join request. */
  @Column(jsonColumn())
  details: Record<string, string | number>;

  @Column(slackIdColumn({ name: "decided_by", nullable: true }))
  decidedBy: string | null;

  @Column(timeColumn({ name: "decided_at", nullable: true }))
  decidedAt: number | null;

  @Column(timeColumn({ name: "escalated_at", nullable: true }))
  escalatedAt: number | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
