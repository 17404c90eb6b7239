import type { EntityManager } from "typeorm";
import { LimitEntity, type LimitPeriod } from "../../entities";

export class LimitRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(LimitEntity);
  }

  async findMember(teamId: number, userId: string): Promise<LimitEntity | null> {
    return this.repo.findOneBy({ teamId, scope: "member", subjectKey: userId });
  }

  /** Sets a member's total limit, creating their limit row if they had none. */
  async setMemberTotal(
    workspaceId: string,
    teamId: number,
    userId: string,
    totalMax: number,
    period: LimitPeriod,
    setBy: string,
    now: number,
  ): Promise<void> {
    const existing = await this.findMember(teamId, userId);
    if (existing) {
      await this.repo.update({ id: existing.id }, { totalMax, period, setBy, updatedAt: now });
      return;
    }
    await this.repo.insert({
      workspaceId,
      teamId,
      scope: "member",
      subjectKey: userId,
      transactionMax: null,
      totalMax,
      period,
      setBy,
      updatedAt: now,
    });
  }
}
