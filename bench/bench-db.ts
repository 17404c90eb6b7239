import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { type Database, openDatabase } from "../src/db/database";

/** A fresh, migrated database for one bench run, dropped afterwards. */
export interface BenchDatabase {
  kind: "sqlite" | "mysql";
  /** DATABASE_URL of the fresh database. */
  url: string;
  db: Database;
  /** Removes the database (the MySQL schema, or the SQLite file's folder). */
  drop(): Promise<void>;
}

/**
 * SQLite in a temp file by default; with BENCH_MYSQL_URL, a schema `roster_bench_<pid>` created on
 * that server (never the database the URL names, which may be the tests' own) and dropped after.
 */
export async function openBenchDatabase(mysqlUrl: string | undefined): Promise<BenchDatabase> {
  if (!mysqlUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), "roster-bench-"));
    const url = `sqlite:${path.join(dir, "bench.sqlite")}`;
    const db = await openDatabase(url);
    await db.migrate();
    return {
      kind: "sqlite",
      url,
      db,
      async drop() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `roster_bench_${process.pid}`;
  const server = new URL(mysqlUrl);
  server.pathname = "/";
  const admin = await mysql.createConnection(server.toString());
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const target = new URL(mysqlUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const db = await openDatabase(url, { poolSize: 20 });
  await db.migrate();
  return {
    kind: "mysql",
    url,
    db,
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}
