import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

/**
 * A team whose Slack user group and channel Roster keeps in step with its active members
 * (`/team sync`). One row per team. When the team is deleted its foreign key is set to null rather
 * than the row deleted: the next sync still knows the user group, and disables it.
 */
@Entity("team_syncs")
@Index("uq_team_syncs_team", ["teamId"], { unique: true })
@Index("ix_team_syncs_workspace", ["workspaceId"])
export class TeamSyncEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  /** Null once the team is deleted (ON DELETE SET NULL). */
  @Column({ type: "integer", name: "team_id", nullable: true })
  teamId: number | null;

  /** The user group's mention handle, without the @. */
  @Column({ type: "varchar", length: 32 })
  handle: string;

  /** The Slack user group (S…); null where the workspace's plan has no user groups. */
  @Column(slackIdColumn({ name: "usergroup_id", nullable: true }))
  usergroupId: string | null;

  /**
   * The channel whose membership someone confirmed Roster may trim to the team: people who are not
   * active members are removed only from this channel. A channel set on the team later is only
   * invited into until `/team sync` is run (and confirmed) for it.
   */
  @Column(slackIdColumn({ name: "channel_id", nullable: true }))
  channelId: string | null;

  /** A hash of the state last applied in Slack; a change to the team makes it differ. */
  @Column({ type: "varchar", length: 64, name: "applied_hash", nullable: true })
  appliedHash: string | null;

  /** When a scheduled check last claimed this row (one process per row and interval). */
  @Column(timeColumn({ name: "checked_at" }))
  checkedAt: number;

  @Column(slackIdColumn({ name: "created_by" }))
  createdBy: string;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;

  @Column(timeColumn({ name: "updated_at" }))
  updatedAt: number;
}
