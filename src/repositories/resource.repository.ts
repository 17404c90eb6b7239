import type { EntityManager } from "typeorm";
import { SharedResourceEntity } from "../../entities";

export class ResourceRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(SharedResourceEntity);
  }

  async list(teamId: number): Promise<SharedResourceEntity[]> {
    return this.repo.find({ where: { teamId }, order: { resourceType: "ASC", resourceId: "ASC" } });
  }

  async find(teamId: number, resourceType: string, resourceId: string): Promise<SharedResourceEntity | null> {
    return this.repo.findOneBy({ teamId, resourceType, resourceId });
  }

  async insert(share: Omit<SharedResourceEntity, "id">): Promise<void> {
    await this.repo.insert(share);
  }

  async updatePermissions(id: number, permissions: string[]): Promise<void> {
    await this.repo.update({ id }, { permissions });
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }
}
