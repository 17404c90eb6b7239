import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * How many changes that can alter a spend decision (memberships, limits, the team tree, API key
 * revocations) a workspace has had: each adds 1 (WorkspaceRepository.spendChanged), so a process
 * that keeps spend contexts between batches can tell whether they still hold. A table of its own,
 * referenced by nothing: the foreign-key checks of every insert into a workspace's tables take
 * shared locks on the workspace's row, which a counter kept there would turn into deadlocks.
 */
@Entity("spend_versions")
export class SpendVersionEntity {
  @PrimaryColumn({ name: "workspace_id", type: "varchar", length: 32 })
  workspaceId: string;

  @Column({ type: "integer" })
  version: number;
}
