import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { jsonColumn, slackIdColumn, timeColumn } from "./columns";

/** The changed fields of an audited row, as plain JSON values. */
export type AuditDetails = Record<
  string,
  string | number | boolean | null | string[] | Record<string, string>
>;

/**
 * One change, written in the same transaction as the change itself. `teamId` has no foreign key on
 * purpose: the history of a deleted team stays readable by org admins.
 */
@Entity("audit_events")
@Index("ix_audit_events_team_time", ["workspaceId", "teamId", "createdAt"])
@Index("ix_audit_events_workspace_time", ["workspaceId", "createdAt"])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id", nullable: true })
  teamId: number | null;

  @Column(slackIdColumn({ name: "actor_user_id" }))
  actorUserId: string;

  @Column({ type: "varchar", length: 64 })
  action: string;

  @Column({ type: "varchar", length: 32, name: "target_type" })
  targetType: string;

  @Column({ type: "varchar", length: 255, name: "target_id" })
  targetId: string;

  @Column(jsonColumn({ nullable: true }))
  before: AuditDetails | null;

  @Column(jsonColumn({ nullable: true }))
  after: AuditDetails | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
