import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { jsonColumn, slackIdColumn, timeColumn } from "./columns";

/** A resource (`type:id`, e.g. `model:gpt-4o`) shared with a team, with the permissions it carries. */
@Entity("shared_resources")
@Index("uq_shared_resources_team_resource", ["teamId", "resourceType", "resourceId"], { unique: true })
export class SharedResourceEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column({ type: "varchar", length: 64, name: "resource_type" })
  resourceType: string;

  @Column({ type: "varchar", length: 191, name: "resource_id" })
  resourceId: string;

  @Column(jsonColumn())
  permissions: string[];

  @Column(slackIdColumn({ name: "shared_by" }))
  sharedBy: string;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
