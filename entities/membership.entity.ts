import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

export type MembershipStatus = "active" | "inactive";

/**
 * A user's place in a team. `ownerMarker` is 1 on the owner's row and NULL on every other; its
 * unique index lets the database itself refuse a second owner (NULLs never collide).
 */
@Entity("memberships")
@Index("uq_memberships_team_user", ["teamId", "userId"], { unique: true })
@Index("uq_memberships_team_owner", ["teamId", "ownerMarker"], { unique: true })
@Index("ix_memberships_workspace_user", ["workspaceId", "userId"])
export class MembershipEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column(slackIdColumn({ name: "user_id" }))
  userId: string;

  @Column({ type: "integer", name: "role_id" })
  roleId: number;

  @Column({ type: "integer", name: "owner_marker", nullable: true })
  ownerMarker: 1 | null;

  @Column({ type: "varchar", length: 16, default: "active" })
  status: MembershipStatus;

  @Column(timeColumn({ name: "joined_at" }))
  joinedAt: number;

  @Column(timeColumn({ name: "updated_at" }))
  updatedAt: number;
}
