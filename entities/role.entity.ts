import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { jsonColumn, slackIdColumn, timeColumn } from "./columns";

/**
 * A role: the three built-in ones (workspace NULL, seeded by the first migration) or a custom
 * role of one workspace. Custom names never equal a built-in name (checked by the role service).
 */
@Entity("roles")
@Index("uq_roles_workspace_name", ["workspaceId", "nameKey"], { unique: true })
export class RoleEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id", nullable: true }))
  workspaceId: string | null;

  @Column({ type: "varchar", length: 40 })
  name: string;

  @Column({ type: "varchar", length: 40, name: "name_key" })
  nameKey: string;

  @Column({ type: "varchar", length: 200, default: "" })
  description: string;

  @Column(jsonColumn())
  permissions: string[];

  @Column({ type: "boolean", name: "built_in", default: false })
  builtIn: boolean;

  @Column(slackIdColumn({ name: "created_by", nullable: true }))
  createdBy: string | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
