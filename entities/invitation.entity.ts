import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked" | "expired";

/**
 * An invitation to a Slack user or to an email address not yet in the workspace. `pendingKey` is
 * the invitee while the invitation is pending and NULL after: its unique index means one pending
 * invitation per invitee and team, so a second invite renews the first instead of doubling it.
 */
@Entity("invitations")
@Index("uq_invitations_team_pending", ["teamId", "pendingKey"], { unique: true })
@Index("ix_invitations_workspace_email", ["workspaceId", "inviteeEmail"])
@Index("ix_invitations_status_expiry", ["status", "expiresAt"])
export class InvitationEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column(slackIdColumn({ name: "invitee_user_id", nullable: true }))
  inviteeUserId: string | null;

  @Column({ type: "varchar", length: 254, name: "invitee_email", nullable: true })
  inviteeEmail: string | null;

  @Column({ type: "varchar", length: 254, name: "pending_key", nullable: true })
  pendingKey: string | null;

  @Column({ type: "integer", name: "role_id" })
  roleId: number;

  @Column(slackIdColumn({ name: "inviter_user_id" }))
  inviterUserId: string;

  @Column({ type: "varchar", length: 16, default: "pending" })
  status: InvitationStatus;

  @Column(timeColumn({ name: "expires_at" }))
  expiresAt: number;

  @Column(slackIdColumn({ name: "message_channel", nullable: true }))
  messageChannel: string | null;

  @Column({ type: "varchar", length: 32, name: "message_ts", nullable: true })
  messageTs: string | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;

  @Column(timeColumn({ name: "decided_at", nullable: true }))
  decidedAt: number | null;
}
