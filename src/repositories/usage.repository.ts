import type { EntityManager } from "typeorm";
import { UsageEventEntity } from "../../entities";

export type UsageRow = Omit<UsageEventEntity, "id">;
export type UsageGrouping = "user" | "resource" | "quarter";

/** Quarter-hours: every time zone's midnight falls on one (offsets are whole quarter-hours). */
export const QUARTER_MS = 900_000;

const INSERT_CHUNK = 500;

export class UsageRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(UsageEventEntity);
  }

  /** Which of these transaction IDs the team has already recorded. */
  async existing(teamId: number, transactionIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < transactionIds.length; i += INSERT_CHUNK) {
      const chunk = transactionIds.slice(i, i + INSERT_CHUNK);
      const rows: { transaction_id: string }[] = await this.manager.query(
        `SELECT transaction_id FROM usage_events WHERE team_id = ? AND transaction_id IN (${chunk.map(() => "?").join(", ")})`,
        [teamId, ...chunk],
      );
      for (const row of rows) found.add(row.transaction_id);
    }
    return found;
  }

  /**
   * Multi-row INSERTs, a chunk at a time, as plain SQL: TypeORM's builder spends more time
   * preparing 500 rows' parameters than the database spends storing them.
   */
  async insertMany(rows: UsageRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await this.manager.query(
        `INSERT INTO usage_events (workspace_id, team_id, user_id, tokens, resource, transaction_id, occurred_at, created_at)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        chunk.flatMap((r) => [
          r.workspaceId,
          r.teamId,
          r.userId,
          r.tokens,
          r.resource,
          r.transactionId,
          r.occurredAt,
          r.createdAt,
        ]),
      );
    }
  }

  /** Tokens spent in these teams since `since` (ms), by one user or by everyone. */
  async sum(teamIds: number[], since: number, userId?: string): Promise<number> {
    const query = this.repo
      .createQueryBuilder("u")
      .select("COALESCE(SUM(u.tokens), 0)", "tokens")
      .where("u.team_id IN (:...teamIds) AND u.occurred_at >= :since", { teamIds, since });
    if (userId) query.andWhere("u.user_id = :userId", { userId });
    const row = await query.getRawOne<{ tokens: string | number }>();
    return Number(row?.tokens ?? 0);
  }

  /** Tokens each user spent in the team since `since`. */
  async sumByUser(teamId: number, since: number): Promise<Map<string, number>> {
    const rows = await this.repo
      .createQueryBuilder("u")
      .select("u.user_id", "userId")
      .addSelect("SUM(u.tokens)", "tokens")
      .where("u.team_id = :teamId AND u.occurred_at >= :since", { teamId, since })
      .groupBy("u.user_id")
      .getRawMany<{ userId: string; tokens: string | number }>();
    return new Map(rows.map((r) => [r.userId, Number(r.tokens)]));
  }

  /**
   * Totals within [from, to) grouped by user, resource, or quarter-hour (its epoch number; the
   * caller folds them into local days, since the database knows nothing of TIMEZONE).
   */
  async grouped(
    teamIds: number[],
    from: number,
    to: number,
    by: UsageGrouping,
    userId?: string,
  ): Promise<{ key: string; tokens: number; events: number }[]> {
    const key =
      by === "user" ? "u.user_id" : by === "resource" ? "u.resource" : `FLOOR(u.occurred_at / ${QUARTER_MS})`;
    const query = this.repo
      .createQueryBuilder("u")
      .select(key, "key")
      .addSelect("SUM(u.tokens)", "tokens")
      .addSelect("COUNT(*)", "events")
      .where("u.team_id IN (:...teamIds) AND u.occurred_at >= :from AND u.occurred_at < :to", {
        teamIds,
        from,
        to,
      })
      .groupBy(key);
    if (userId) query.andWhere("u.user_id = :userId", { userId });
    const rows = await query.getRawMany<{
      key: string | number;
      tokens: string | number;
      events: string | number;
    }>();
    return rows.map((r) => ({ key: String(r.key), tokens: Number(r.tokens), events: Number(r.events) }));
  }
}
