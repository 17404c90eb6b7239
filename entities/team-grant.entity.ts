import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

/** A permission granted to a team as a whole: every active member holds it in that team. */
@Entity("team_grants")
@Index("uq_team_grants_team_permission", ["teamId", "permission"], { unique: true })
export class TeamGrantEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column({ type: "varchar", length: 64 })
  permission: string;

  @Column(slackIdColumn({ name: "granted_by" }))
  grantedBy: string;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
