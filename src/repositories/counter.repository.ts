import type { EntityManager } from "typeorm";
import { LimitCounterEntity } from "../../entities";
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

  /**
   * Adds each counter's delta only if every one of them still holds what it held when read
   * (`before`): false, and nothing changed, if any moved. The UPDATE locks the rows it changes
   * until the transaction ends (in id order, the same for everyone), so a batch decided on totals
   * read without a lock either finds them unchanged and keeps them, or starts again.
   */
  async addIfUnchanged(deltas: { id: number; before: number; tokens: number }[]): Promise<boolean> {
    if (deltas.length === 0) return true;
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error("addIfUnchanged runs inside a transaction");
    const cases = deltas.map(() => "WHEN ? THEN ?").join(" ");
    const result = await runner.query(
      `UPDATE limit_counters SET tokens = tokens + CASE id ${cases} ELSE 0 END
          WHERE id IN (${deltas.map(() => "?").join(", ")}) AND tokens = CASE id ${cases} ELSE -1 END`,
      [
        ...deltas.flatMap((d) => [d.id, Math.trunc(d.tokens)]),
        ...deltas.map((d) => d.id),
        ...deltas.flatMap((d) => [d.id, d.before]),
      ],
      true,
    );
    return result.affected === deltas.length;
  }

  /**
   * Creates counters with their first tokens. A counter someone else created meanwhile fails the
   * whole statement on the unique index (the caller starts again, and then finds it).
   */
  async create(counters: { key: CounterKey; tokens: number }[]): Promise<void> {
    if (counters.length === 0) return;
    await this.manager.query(
      `INSERT INTO limit_counters (limit_id, subject_key, period_start, tokens) VALUES ${counters.map(() => "(?, ?, ?, ?)").join(", ")}`,
      counters.flatMap(({ key, tokens }) => [
        key.limitId,
        key.subjectKey,
        key.periodStart,
        Math.trunc(tokens),
      ]),
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

  /**
   * Records notices, each once per limit, subject, period and threshold (by any process); answers,
   * for each, whether it is new (to be sent). One statement when none was sent before, as nearly
   * always: a refused INSERT keeps nothing of itself, so the fresh ones are then written on their own.
   */
  async recordNotices(notices: NoticeKey[], now: number): Promise<boolean[]> {
    if (notices.length === 0) return [];
    try {
      await this.insertNotices(notices, now);
      return notices.map(() => true);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const rows: {
      limit_id: number | string;
      subject_key: string;
      period_start: string;
      threshold: number | string;
    }[] = await this.manager.query(
      `SELECT limit_id, subject_key, period_start, threshold FROM limit_notices
            WHERE (limit_id, subject_key, period_start, threshold) IN (${notices.map(() => "(?, ?, ?, ?)").join(", ")})`,
      notices.flatMap((n) => [n.limitId, n.subjectKey, n.periodStart, n.threshold]),
    );
    const sent = new Set(rows.map((r) => noticeKey({ ...fromRow(r), threshold: Number(r.threshold) })));
    const fresh = notices.map((n) => !sent.has(noticeKey(n)));
    // Their counters are locked, so no one else records these now; if someone did, the caller's retry settles it.
    await this.insertNotices(
      notices.filter((_, i) => fresh[i]),
      now,
    );
    return fresh;
  }

  private async insertNotices(notices: NoticeKey[], now: number): Promise<void> {
    if (notices.length === 0) return;
    await this.manager.query(
      `INSERT INTO limit_notices (limit_id, subject_key, period_start, threshold, sent_at) VALUES ${notices.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
      notices.flatMap((n) => [n.limitId, n.subjectKey, n.periodStart, n.threshold, now]),
    );
  }
}

/** A notice: a counter and the share of its limit (80 or 100) it reached. */
export interface NoticeKey extends CounterKey {
  threshold: number;
}

const noticeKey = (n: NoticeKey) => `${counterKey(n)}|${n.threshold}`;

const fromRow = (r: {
  limit_id: number | string;
  subject_key: string;
  period_start: string;
}): CounterKey => ({
  limitId: Number(r.limit_id),
  subjectKey: r.subject_key,
  periodStart: r.period_start,
});
