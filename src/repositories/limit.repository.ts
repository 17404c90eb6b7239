import { type EntityManager, In } from "typeorm";
import { LimitEntity, type LimitPeriod, type LimitScope } from "../../entities";

export type LimitValues = Pick<LimitEntity, "transactionMax" | "totalMax" | "period" | "setBy" | "updatedAt">;

export class LimitRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(LimitEntity);
  }

  async find(teamId: number, scope: LimitScope, subjectKey: string): Promise<LimitEntity | null> {
    return this.repo.findOneBy({ teamId, scope, subjectKey });
  }

  async findMember(teamId: number, userId: string): Promise<LimitEntity | null> {
    return this.find(teamId, "member", userId);
  }

  /** The limit a member spends under personally: their own, or else the team's default. */
  async personal(teamId: number, userId: string): Promise<LimitEntity | null> {
    return (await this.findMember(teamId, userId)) ?? (await this.find(teamId, "default", ""));
  }

  /** Creates or replaces the limit of (team, scope, subject); returns the row. */
  async put(
    workspaceId: string,
    teamId: number,
    scope: LimitScope,
    subjectKey: string,
    values: LimitValues,
  ): Promise<LimitEntity> {
    const existing = await this.find(teamId, scope, subjectKey);
    if (existing) {
      await this.repo.update({ id: existing.id }, values);
      return { ...existing, ...values };
    }
    const row = { workspaceId, teamId, scope, subjectKey, ...values };
    const result = await this.repo.insert(row);
    return { ...row, id: Number(result.identifiers[0].id) };
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  /** Sets a member's total limit, keeping their transaction limit, creating the row if needed. */
  async setMemberTotal(
    workspaceId: string,
    teamId: number,
    userId: string,
    totalMax: number,
    period: LimitPeriod,
    setBy: string,
    now: number,
    transactionMax?: number | null,
  ): Promise<LimitEntity> {
    const existing = await this.findMember(teamId, userId);
    return this.put(workspaceId, teamId, "member", userId, {
      transactionMax: transactionMax === undefined ? (existing?.transactionMax ?? null) : transactionMax,
      totalMax,
      period,
      setBy,
      updatedAt: now,
    });
  }

  /**
   * Every limit that can apply to spends by `userIds` in `teamId`: their member limits and the
   * team's default there, and the budgets of the team and each of its ancestors (`chain`).
   */
  async applicable(teamId: number, chain: number[], userIds: string[]): Promise<LimitEntity[]> {
    const query = this.repo
      .createQueryBuilder("l")
      .where("(l.team_id IN (:...chain) AND l.scope = 'budget')", { chain })
      .orWhere("(l.team_id = :teamId AND l.scope = 'default')", { teamId });
    if (userIds.length)
      query.orWhere("(l.team_id = :teamId AND l.scope = 'member' AND l.subject_key IN (:...userIds))", {
        teamId,
        userIds,
      });
    return query.getMany();
  }

  /** The budgets set on any of these teams. */
  async budgets(teamIds: number[]): Promise<LimitEntity[]> {
    if (teamIds.length === 0) return [];
    return this.repo.find({ where: { teamId: In(teamIds), scope: "budget" } });
  }
}
