import { Column, Entity, PrimaryColumn } from "typeorm";
import { timeColumn } from "./columns";

/** A Slack workspace (`team_id` in Slack payloads). Every other row belongs to exactly one. */
@Entity("workspaces")
export class WorkspaceEntity {
  @PrimaryColumn({ type: "varchar", length: 32 })
  id: string;

  @Column({ type: "varchar", length: 255, nullable: true })
  name: string | null;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;
}
