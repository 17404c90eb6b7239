import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager } from "typeorm";
import { Unavailable } from "../domain/errors";
import { Repositories } from "../repositories";
import { createDataSource, type Dialect, dialectOf } from "./data-source";
import { isConnectionFailure, isRetryable } from "./db-errors";

const RETRIES = 5;

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
  private readonly queue: SerialQueue | undefined;

  /**
   * MySQL runs our transactions at READ COMMITTED: under its default REPEATABLE READ, a transaction
   * keeps reading the snapshot of its first read even after it waits for a row lock, so it would
   * decide on rows the lock holder has since changed (two transfers both seeing the old owner).
   * With READ COMMITTED, every read after taking a lock sees what the previous holder committed.
   */
  private readonly isolation: "READ COMMITTED" | undefined;

  constructor(readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
    this.queue = this.dialect === "sqlite" ? queueFor(String(dataSource.options.database)) : undefined;
    this.isolation = this.dialect === "mysql" ? "READ COMMITTED" : undefined;
  }

  /** Runs `work` in one transaction; nested calls join the transaction already open. */
  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open);
    return this.withRetries(() =>
      this.serialised(() =>
        this.inTransaction((manager) => {
          const repos = this.reposFor(manager);
          return this.current.run(repos, () => work(repos));
        }),
      ),
    );
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
    return this.withRetries(() =>
      this.serialised(() => {
        const repos = this.reposFor(this.dataSource.manager);
        return this.current.run(repos, () => work(repos));
      }),
    );
  }

  /** True when the database answers a trivial query (for /healthz). */
  async ping(): Promise<boolean> {
    try {
      await this.serialised(() => this.dataSource.query("SELECT 1"));
      return true;
    } catch {
      return false;
    }
  }

  /** Applies pending migrations; returns their names. */
  async migrate(): Promise<string[]> {
    const applied = await this.serialised(() => this.dataSource.runMigrations({ transaction: "each" }));
    return applied.map((m) => m.name);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.isolation
      ? this.dataSource.transaction(this.isolation, work)
      : this.dataSource.transaction(work);
  }

  private reposFor(manager: EntityManager): Repositories {
    return new Repositories(manager, this.dialect);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(work) : work();
  }

  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (isRetryable(error) && tries < RETRIES) {
          // Deadlock victims retry after a short random pause so they don't collide again.
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * tries));
          continue;
        }
        if (isConnectionFailure(error)) {
          throw new Unavailable("Roster can't reach its database right now; try again in a minute.");
        }
        throw error;
      }
    }
  }
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
