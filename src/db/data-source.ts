import path from "node:path";
import { DataSource } from "typeorm";
import { allEntities } from "../../entities";
import { InitialSchema1763880000000 } from "../../migrations/1763880000000-initial-schema";
import { SlackDeliveries1763890000000 } from "../../migrations/1763890000000-slack-deliveries";
import { ApprovalMessages1763900000000 } from "../../migrations/1763900000000-approval-messages";
import { LimitCounters1763910000000 } from "../../migrations/1763910000000-limit-counters";
import { JobClaims1763920000000 } from "../../migrations/1763920000000-job-claims";
import { TeamSync1763930000000 } from "../../migrations/1763930000000-team-sync";
import { SpendVersion1763940000000 } from "../../migrations/1763940000000-spend-version";

export type Dialect = "sqlite" | "mysql";

/** Every migration, in order. Listed explicitly so tsx, vitest and a bundler all find them. */
export const migrations = [
  InitialSchema1763880000000,
  SlackDeliveries1763890000000,
  ApprovalMessages1763900000000,
  LimitCounters1763910000000,
  JobClaims1763920000000,
  TeamSync1763930000000,
  SpendVersion1763940000000,
];

/**
 * Builds (but does not open) the one DataSource for a `DATABASE_URL`:
 * `sqlite:<path>` for the embedded database, `mysql://user:pass@host:port/db` for MySQL/MariaDB.
 */
export function createDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  if (url.startsWith("sqlite:")) {
    return new DataSource({
      type: "better-sqlite3",
      database: path.resolve(url.slice("sqlite:".length)),
      entities: allEntities,
      migrations,
      enableWAL: true,
      // Another process holding the write lock is waited for, not failed on, for up to 5 s, but in
      // Database's retries: better-sqlite3's busy handler sleeps synchronously, freezing the process.
      timeout: 20,
    });
  }
  if (url.startsWith("mysql://")) {
    return new DataSource({
      type: "mysql",
      url,
      entities: allEntities,
      migrations,
      charset: "utf8mb4_bin",
      timezone: "Z",
      poolSize: options.poolSize ?? 10,
      supportBigNumbers: true,
      bigNumberStrings: true,
      // trace: mysql2 would capture a stack trace on every query for its errors' sake; TypeORM
      // wraps each error with a stack of its own, so that is only cost on the spend path.
      extra: { connectTimeout: 5000, trace: false },
    });
  }
  throw new Error(`DATABASE_URL must be sqlite:<path> or mysql://…, not ${url.split(":")[0]}:…`);
}

export function dialectOf(dataSource: DataSource): Dialect {
  return dataSource.options.type === "mysql" ? "mysql" : "sqlite";
}
