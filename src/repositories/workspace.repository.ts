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
}
