import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { jsonColumn, slackIdColumn, timeColumn } from "./columns";

export type Visibility = "organization" | "private";
export type JoinPolicy = "open" | "approval" | "invite_only";
export type ResourceSharing = "all_members" | "admins_only";

@Entity("teams")
@Index("uq_teams_workspace_name", ["workspaceId", "nameKey"], { unique: true })
@Index("ix_teams_parent", ["parentId"])
export class TeamEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "varchar", length: 80 })
  name: string;

  /** Case- and width-folded name: the unique index on it makes names unique regardless of case. */
  @Column({ type: "varchar", length: 80, name: "name_key" })
  nameKey: string;

  @Column({ type: "varchar", length: 500, default: "" })
  description: string;

  @Column({ type: "integer", name: "parent_id", nullable: true })
  parentId: number | null;

  @Column(slackIdColumn({ name: "channel_id", nullable: true }))
  channelId: string | null;

  @Column({ type: "varchar", length: 16, default: "organization" })
  visibility: Visibility;

  @Column({ type: "varchar", length: 16, name: "join_policy", default: "open" })
  joinPolicy: JoinPolicy;

  @Column({ type: "varchar", length: 16, name: "resource_sharing", default: "all_members" })
  resourceSharing: ResourceSharing;

  @Column(jsonColumn())
  metadata: Record<string, string>;

  @Column(slackIdColumn({ name: "created_by" }))
  createdBy: string;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;

  @Column(timeColumn({ name: "updated_at" }))
  updatedAt: number;
}
