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
      .values(missing.map(({ limitId, subjectKey, periodStart }) => ({ limitId, subjectKey, periodStart, tokens: 0 })))
      .orIgnore()
      .execute();
    return this.read(keys, true);
  }

  /** The counters for `keys` that exist, without locking (reads for checks and explanations). */
  async read(keys: CounterKey[], forUpdate = false): Promise<Map<string, LimitCounterEntity>> {
    if (keys.length === 0) return new Map();
    const query = this.repo.createQueryBuilder("c");
    keys.forEach((k, i) => {
      query.orWhere(`(c.limit_id = :l${i} AND c.subject_key = :s${i} AND c.period_start = :p${i})`, {
        [`l${i}`]: k.limitId,
        [`s${i}`]: k.subjectKey,
        [`p${i}`]: k.periodStart,
      });
    });
    query.orderBy("c.limit_id").addOrderBy("c.subject_key").addOrderBy("c.period_start");
    if (forUpdate && this.dialect === "mysql") query.setLock("pessimistic_write");
    const rows = await query.getMany();
    return new Map(rows.map((r) => [counterKey(r), r]));
  }

  async add(id: number, tokens: number): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ tokens: () => `tokens + ${Math.trunc(tokens)}` })
      .where("id = :id", { id })
      .execute();
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
      await this.manager.getRepository(LimitNoticeEntity).insert({ limitId, subjectKey, periodStart, threshold, sentAt: now });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
