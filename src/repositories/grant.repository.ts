import type { EntityManager } from "typeorm";
import { TeamGrantEntity } from "../../entities";

export class GrantRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(TeamGrantEntity);
  }

  async list(teamId: number): Promise<TeamGrantEntity[]> {
    return this.repo.find({ where: { teamId }, order: { permission: "ASC" } });
  }

  async find(teamId: number, permission: string): Promise<TeamGrantEntity | null> {
    return this.repo.findOneBy({ teamId, permission });
  }

  async insert(grant: Omit<TeamGrantEntity, "id">): Promise<void> {
    await this.repo.insert(grant);
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }
}
