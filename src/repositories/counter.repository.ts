import type { EntityManager } from "typeorm";
import { LimitCounterEntity, LimitNoticeEntity } from "../../entities";
import type { Dialect } from "../db/data-source";
import { isUniqueViolation } from "../db/db-errors";

export interface CounterKey {
  limitId: number;
  subjectKey: string;
  periodStart: string;
}

export const counterKey = (k: CounterKey) => `${k.limitId}|${k.subjectKey}|${k.periodStart}`;

/** Running totals per limit, subject and period, and the notices sent about them. */
export class CounterRepository {
  constructor(
    private readonly manager: EntityManager,
    private readonly dialect: Dialect,
  ) {}

  private get repo() {
    return this.manager.getRepository(LimitCounterEntity);
  }

  /**
   * The counters for `keys`, created at 0 where missing, and on MySQL locked until the transaction
   * ends. Rows are locked in the unique index's order, the same for every caller, so two batches
   * needing the same counters queue rather than deadlock. This lock is what makes "check and
   * record" one step: a concurrent spend waits here until this one has committed its tokens.
   */
  async lock(keys: CounterKey[]): Promise<Map<string, LimitCounterEntity>> {
    if (keys.length === 0) return new Map();
    const locked = await this.read(keys, true);
    const missing = keys.filter((k) => !locked.has(counterKey(k)));
    if (missing.length === 0) return locked;
    // Only a new limit or period lacks its row. Create it apart from the locking read: on MySQL an
    // INSERT IGNORE that meets an existing row takes a shared lock on it, and two transactions
    // each holding one and wanting the exclusive lock deadlock (the retry then settles it).
    await this.manager
      .createQueryBuilder()
      .insert()
      .into(LimitCounterEntity)
      .values(
        missing.map(({ limitId, subjectKey, periodStart }) => ({
          limitId,
          subjectKey,
          periodStart,
          tokens: 0,
        })),
      )
      .orIgnore()
      .execute();
    return this.read(keys, true);
  }

  /** The counters for `keys` that exist, without locking (reads for checks and explanations). */
  async read(keys: CounterKey[], forUpdate = false): Promise<Map<string, LimitCounterEntity>> {
    if (keys.length === 0) return new Map();
    // Plain SQL: on the hot path, TypeORM's named-parameter expansion of a few hundred keys costs
    // more than the query itself. Ordered by the unique index, so locks are taken in one order.
    const tuples = keys.map(() => "(?, ?, ?)").join(", ");
    const lock = forUpdate && this.dialect === "mysql" ? " FOR UPDATE" : "";
    const rows: {
      id: number | string;
      limit_id: number | string;
      subject_key: string;
      period_start: string;
      tokens: number | string;
    }[] = await this.manager.query(
      `SELECT id, limit_id, subject_key, period_start, tokens FROM limit_counters
          WHERE (limit_id, subject_key, period_start) IN (${tuples})
          ORDER BY limit_id, subject_key, period_start${lock}`,
      keys.flatMap((k) => [k.limitId, k.subjectKey, k.periodStart]),
    );
    return new Map(
      rows.map((r) => {
        const counter = {
          id: Number(r.id),
          limitId: Number(r.limit_id),
          subjectKey: r.subject_key,
          periodStart: r.period_start,
          tokens: Number(r.tokens),
        };
        return [counterKey(counter), counter];
      }),
    );
  }

  /** Adds each counter's delta in one statement (a batch touches one counter per member and limit). */
  async addMany(deltas: { id: number; tokens: number }[]): Promise<void> {
    if (deltas.length === 0) return;
    const cases = deltas.map(() => "WHEN ? THEN ?").join(" ");
    await this.manager.query(
      `UPDATE limit_counters SET tokens = tokens + CASE id ${cases} ELSE 0 END WHERE id IN (${deltas.map(() => "?").join(", ")})`,
      [...deltas.flatMap((d) => [d.id, Math.trunc(d.tokens)]), ...deltas.map((d) => d.id)],
    );
  }

  /** Sets a counter to a recomputed total (a new or re-periodised limit starts from history). */
  async put(key: CounterKey, tokens: number): Promise<void> {
    await this.lock([key]);
    const { limitId, subjectKey, periodStart } = key;
    await this.repo.update({ limitId, subjectKey, periodStart }, { tokens });
  }

  async deleteForLimit(limitId: number): Promise<void> {
    await this.repo.delete({ limitId });
  }

  /** Records a notice; false if it was already sent (by any process). */
  async recordNotice(key: CounterKey, threshold: number, now: number): Promise<boolean> {
    try {
      const { limitId, subjectKey, periodStart } = key;
      await this.manager
        .getRepository(LimitNoticeEntity)
        .insert({ limitId, subjectKey, periodStart, threshold, sentAt: now });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
