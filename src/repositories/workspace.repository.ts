import type { EntityManager } from "typeorm";
import type { Dialect } from "../db/data-source";
import { WorkspaceEntity } from "../../entities";

export class WorkspaceRepository {
  constructor(
    private readonly manager: EntityManager,
    private readonly dialect: Dialect,
  ) {}

  /** Records a workspace the first time Roster meets it; a no-op after that, even when raced. */
  async ensure(id: string, now: number): Promise<void> {
    await this.manager
      .createQueryBuilder()
      .insert()
      .into(WorkspaceEntity)
      .values({ id, name: null, createdAt: now })
      .orIgnore()
      .execute();
  }

  /**
   * Holds the workspace row's lock until the transaction ends (MySQL; SQLite runs transactions one
   * at a time already). Changes to the team hierarchy take it, so two re-parentings can't each
   * pass the cycle check and together make a loop.
   */
  async lock(id: string): Promise<void> {
    if (this.dialect !== "mysql") return;
    await this.manager
      .getRepository(WorkspaceEntity)
      .createQueryBuilder("w")
      .where("w.id = :id", { id })
      .setLock("pessimistic_write")
      .getOne();
  }

  /**
   * Records, in the caller's transaction, that something a spend decision depends on changed in
   * the workspace: every repository write to memberships, limits, teams and key revocations calls
   * it. UsageService keeps teams' spend contexts between batches only while this hasn't moved.
   */
  async spendChanged(id: string): Promise<void> {
    await spendChanged(this.manager, id);
  }

  /** The workspace's spend version now (0 before its first change). */
  async spendVersion(id: string): Promise<number> {
    const rows: { version: number | string }[] = await this.manager.query(
      "SELECT version FROM spend_versions WHERE workspace_id = ?",
      [id],
    );
    return Number(rows[0]?.version ?? 0);
  }
}

/** A row by its id, with its workspace (for spendChanged). */
export type RowOf = { id: number; workspaceId: string };

/**
 * WorkspaceRepository.spendChanged, for the repositories whose writes call it. One upsert, which on
 * MySQL takes the row's exclusive lock at once: writers in a workspace queue on it until they
 * commit, and a batch reading the version (without a lock) sees each change once it is committed.
 */
export async function spendChanged(manager: EntityManager, workspaceId: string): Promise<void> {
  const upsert =
    manager.connection.options.type === "mysql"
      ? "ON DUPLICATE KEY UPDATE version = version + 1"
      : "ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1";
  await manager.query(`INSERT INTO spend_versions (workspace_id, version) VALUES (?, 1) ${upsert}`, [
    workspaceId,
  ]);
}
