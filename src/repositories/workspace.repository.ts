import type { EntityManager } from "typeorm";
import { WorkspaceEntity } from "../../entities";

export class WorkspaceRepository {
  constructor(private readonly manager: EntityManager) {}

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
}
