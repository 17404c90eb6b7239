import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager } from "typeorm";
import { Unavailable } from "../domain/errors";
import { Repositories } from "../repositories";
import { createDataSource, type Dialect, dialectOf } from "./data-source";
import { isConnectionFailure, isLockWaitTimeout, isRetryable, isSqliteLocked } from "./db-errors";

const RETRIES = 5;
/**
 * How long a write waits, in all, for another process (an import, a backup, the sqlite3 shell) to
 * let go of SQLite's write lock. It waits between tries, not in better-sqlite3's busy handler,
 * which sleeps synchronously and would freeze the whole process, acks and /healthz included.
 */
const SQLITE_LOCK_WAIT_MS = 5_000;
/**
 * An InnoDB lock wait timeout that took this long was a lock already waited on for its whole
 * timeout: it is not waited on again while the user waits; they are told to try again.
 */
const WAITED_OUT_MS = 1_000;
/** How long /healthz waits for the database. */
const PING_WAIT_MS = 2_000;

/** How long a starting process waits for another one's migrations. */
const MIGRATION_LOCK_SECONDS = 300;

/**
 * The one way services touch storage: `transaction(work)` runs `work` with repositories bound to
 * one database transaction, retried whole when the database reports a deadlock.
 *
 * SQLite has a single connection per DataSource and can't interleave two transactions on it
 * (TypeORM issue #8668), so there every unit of work, reads included, takes its turn on a queue
 * shared by every DataSource of that file in this process. MySQL gets real concurrency and the
 * repositories take row locks where a rule needs them.
 */
export class Database {
  readonly dialect: Dialect;
  private readonly current = new AsyncLocalStorage<Repositories>();
  /** Set by `watchCommits`: whether a transaction begun inside it has committed. */
  private readonly watch = new AsyncLocalStorage<{ committed: boolean }>();
  private readonly queue: SerialQueue | undefined;

  /**
   * MySQL runs our transactions at READ COMMITTED: under its default REPEATABLE READ, a transaction
   * keeps reading the snapshot of its first read even after it waits for a row lock, so it would
   * decide on rows the lock holder has since changed (two transfers both seeing the old owner).
   * With READ COMMITTED, every read after taking a lock sees what the previous holder committed.
   * It is set once per pooled connection, for its session, rather than before every transaction
   * (a round trip each time): these are the connections that have it.
   */
  private readonly readCommitted = new WeakSet<object>();
  /** Reads started by readAside and not yet done, and how many of them the pool allows at once. */
  private readsAside = 0;
  private readonly maxReadsAside: number;

  constructor(readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
    this.queue = this.dialect === "sqlite" ? queueFor(String(dataSource.options.database)) : undefined;
    // Fewer than the pool's connections, so one is always left for a read a transaction waits on.
    const poolSize = (dataSource.options as { poolSize?: number }).poolSize ?? 10;
    this.maxReadsAside = Math.floor(poolSize / 2);
  }

  /** Runs `work` in one transaction; nested calls join the transaction already open. */
  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open);
    const result = await this.withRetries(() =>
      this.inTransaction((manager) => {
        const repos = this.reposFor(manager);
        return this.current.run(repos, () => work(repos));
      }),
    );
    const watching = this.watch.getStore();
    if (watching) watching.committed = true;
    return result;
  }

  /**
   * Runs `work`, which is one write statement, on its own: the database commits it as it runs, so
   * it costs one round trip instead of three (BEGIN, the statement, COMMIT). One statement is
   * all-or-nothing without a transaction; anything more belongs in `transaction`.
   */
  async single<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const result = await this.read(work);
    const watching = this.watch.getStore();
    if (watching) watching.committed = true;
    return result;
  }

  /**
   * Runs `work` and says whether it changed anything: whether a transaction it began committed.
   * A read, or a change refused (rolled back), is not one. Lets a command that only showed
   * something skip what follows a change (republishing App Homes, syncing Slack groups).
   */
  async watchCommits<T>(work: () => Promise<T>): Promise<{ result: T; committed: boolean }> {
    const watching = { committed: false };
    const result = await this.watch.run(watching, work);
    return { result, committed: watching.committed };
  }

  /**
   * Runs `work` (service calls, reads) in one transaction that is always rolled back, and returns
   * what it returned. A preview asks "would this change be allowed, and what would it do?" by
   * rehearsing the very change, so it can never disagree with the rules it previews.
   */
  async rehearse<T>(work: () => Promise<T>): Promise<T> {
    try {
      await this.transaction(async () => {
        throw new Rehearsal(await work());
      });
    } catch (error) {
      if (error instanceof Rehearsal) return error.result as T;
      throw error;
    }
    throw new Error("a rehearsal always ends in its rollback");
  }

  /** Runs read-only `work` outside a transaction (inside the open one, if any). */
  async read<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open);
    return this.withRetries(() => {
      const repos = this.reposFor(this.dataSource.manager);
      return this.current.run(repos, () => work(repos));
    });
  }

  /**
   * Starts read-only `work` at once on a pooled connection of its own, outside any transaction, so
   * that it overlaps a transaction about to start or under way (a round trip saved on the spend
   * path; at READ COMMITTED it sees what a read inside would). Undefined on SQLite, whose one
   * connection a transaction holds, and when too many such reads are out: a transaction that holds
   * a connection while it waits for one of these could otherwise leave every connection waiting.
   * The caller then reads inside its transaction. A transaction may wait for such a read only
   * before it takes any lock: else it could hold up, through its locks, the very transactions whose
   * connections the read waits for.
   */
  readAside<T>(work: (repos: Repositories) => Promise<T>): Promise<T> | undefined {
    if (this.dialect === "sqlite" || this.readsAside >= this.maxReadsAside) return undefined;
    this.readsAside++;
    return this.current.exit(() => this.read(work)).finally(() => this.readsAside--);
  }

  /**
   * True when the database answers a trivial query within two seconds (for /healthz). A network
   * that drops packets without resetting the connection would otherwise leave the check hanging.
   */
  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_WAIT_MS);
    });
    const answered = this.serialised(() => this.dataSource.query("SELECT 1")).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Applies pending migrations; returns their names. */
  /**
   * Applies pending migrations. On MySQL several processes may start at once (a deploy of many
   * copies): TypeORM takes no lock of its own, so a named lock per database makes them take turns,
   * and those after the first find nothing left to do.
   */
  async migrate(): Promise<string[]> {
    const run = () => this.dataSource.runMigrations({ transaction: "each" });
    if (this.dialect !== "mysql") return (await this.serialised(run)).map((m) => m.name);
    const runner = this.dataSource.createQueryRunner();
    try {
      const [lock] = (await runner.query(
        "SELECT GET_LOCK(CONCAT('roster_migrations_', DATABASE()), ?) AS got",
        [MIGRATION_LOCK_SECONDS],
      )) as { got: number | string | null }[];
      if (Number(lock?.got) !== 1) {
        throw new Error(
          `Another process has been migrating this database for ${MIGRATION_LOCK_SECONDS} seconds; start again when it has finished.`,
        );
      }
      return (await run()).map((m) => m.name);
    } finally {
      await runner
        .query("SELECT RELEASE_LOCK(CONCAT('roster_migrations_', DATABASE()))")
        .catch(() => undefined);
      await runner.release();
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** What `dataSource.transaction(work)` does, with the isolation level set on the session first. */
  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      if (this.dialect === "mysql") {
        const connection = (await runner.connect()) as object;
        if (!this.readCommitted.has(connection)) {
          await runner.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
          this.readCommitted.add(connection);
        }
      }
      await runner.startTransaction();
      try {
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        // The original error is what matters, even if the rollback fails too (a lost connection).
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  private reposFor(manager: EntityManager): Repositories {
    return new Repositories(manager, this.dialect);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(work) : work();
  }

  /** Runs `attempt` in its turn (SQLite), again when the database says a retry can succeed. */
  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let tries = 1; ; tries++) {
      let tookMs = 0;
      try {
        return await this.serialised(async () => {
          const began = Date.now();
          try {
            return await attempt();
          } finally {
            tookMs = Date.now() - began;
          }
        });
      } catch (error) {
        if (isRetryable(error) && mayRetry(error, tries, tookMs, Date.now() - started)) {
          // Deadlock victims retry after a short random pause so they don't collide again.
          await new Promise((resolve) =>
            setTimeout(resolve, 5 + Math.random() * 20 * Math.min(tries, RETRIES)),
          );
          continue;
        }
        if (isConnectionFailure(error)) {
          throw new Unavailable("Roster can't reach its database right now; try again in a minute.");
        }
        if (isRetryable(error)) {
          throw new Unavailable("Roster's database is busy right now; try again in a minute.");
        }
        throw error;
      }
    }
  }
}

function mayRetry(error: unknown, tries: number, tookMs: number, elapsedMs: number): boolean {
  if (isSqliteLocked(error)) return elapsedMs < SQLITE_LOCK_WAIT_MS;
  if (isLockWaitTimeout(error) && tookMs >= WAITED_OUT_MS) return false;
  return tries < RETRIES;
}

/** Opens the database for `url` and returns it ready to use (migrations not applied). */
export async function openDatabase(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  const dataSource = createDataSource(url, options);
  await dataSource.initialize();
  return new Database(dataSource);
}

/** Thrown to roll a rehearsal back, carrying its result out. */
class Rehearsal {
  constructor(readonly result: unknown) {}
}

/** A FIFO of async tasks: each starts when the one before it has settled. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const queues = new Map<string, SerialQueue>();

function queueFor(file: string): SerialQueue {
  let queue = queues.get(file);
  if (!queue) {
    queue = new SerialQueue();
    queues.set(file, queue);
  }
  return queue;
}
