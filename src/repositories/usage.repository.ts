import type { EntityManager } from "typeorm";
import { UsageEventEntity } from "../../entities";
import { isUniqueViolation } from "../db/db-errors";

export type UsageRow = Omit<UsageEventEntity, "id">;
export type UsageGrouping = "user" | "resource" | "quarter";

/** Quarter-hours: every time zone's midnight falls on one (offsets are whole quarter-hours). */
export const QUARTER_MS = 900_000;

/** Rows per INSERT statement: 8,000 parameters, within both databases' limits. */
export const ROWS_PER_INSERT = 1000;
const COLUMNS = "workspace_id, team_id, user_id, tokens, resource, transaction_id, occurred_at, created_at";
const ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";

export class UsageRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(UsageEventEntity);
  }

  /** Which of these transaction IDs the team has already recorded. */
  async existing(teamId: number, transactionIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < transactionIds.length; i += ROWS_PER_INSERT) {
      const chunk = transactionIds.slice(i, i + ROWS_PER_INSERT);
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
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
      await this.insert(rows.slice(i, i + ROWS_PER_INSERT));
  }

  /**
   * Inserts up to ROWS_PER_INSERT rows in one statement, unless one of their transaction IDs is
   * already recorded for the team: then the unique index refuses the statement, nothing of it is
   * kept (both databases undo just the failed statement; the transaction goes on) and the answer is
   * false. Cheaper than asking first (`existing`) when, as nearly always, none is.
   */
  async insertIfNew(rows: UsageRow[]): Promise<boolean> {
    if (rows.length > ROWS_PER_INSERT) throw new Error(`insertIfNew takes at most ${ROWS_PER_INSERT} rows`);
    try {
      await this.insert(rows);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  private async insert(rows: UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values: unknown[] = new Array<unknown>(rows.length * 8);
    let at = 0;
    for (const r of rows) {
      values[at++] = r.workspaceId;
      values[at++] = r.teamId;
      values[at++] = r.userId;
      values[at++] = r.tokens;
      values[at++] = r.resource;
      values[at++] = r.transactionId;
      values[at++] = r.occurredAt;
      values[at++] = r.createdAt;
    }
    await this.manager.query(
      `INSERT INTO usage_events (${COLUMNS}) VALUES ${ROW}${`, ${ROW}`.repeat(rows.length - 1)}`,
      values,
    );
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
