import type { EntityManager } from "typeorm";
import { AuditEventEntity } from "../../entities";

export interface AuditQuery {
  workspaceId: string;
  teamId: number;
  since: number;
  until: number;
  offset: number;
  limit: number;
}

export class AuditRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(AuditEventEntity);
  }

  async insert(event: Omit<AuditEventEntity, "id">): Promise<void> {
    await this.repo.insert(event);
  }

  /** Newest first, within [since, until). */
  async list(query: AuditQuery): Promise<{ events: AuditEventEntity[]; total: number }> {
    const [events, total] = await this.repo
      .createQueryBuilder("a")
      .where("a.workspace_id = :workspaceId AND a.team_id = :teamId", query)
      .andWhere("a.created_at >= :since AND a.created_at < :until", query)
      .orderBy("a.created_at", "DESC")
      .addOrderBy("a.id", "DESC")
      .skip(query.offset)
      .take(query.limit)
      .getManyAndCount();
    return { events, total };
  }
}
