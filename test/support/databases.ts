import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Database, openDatabase } from "../../src/db/database";

export interface TestDatabaseKind {
  name: "sqlite" | "mysql";
  open(): Promise<Database>;
}

/**
 * The databases every database test runs against: a fresh SQLite file always, and MySQL/MariaDB
 * when TEST_MYSQL_URL is set (migrated once by global-setup). Tests on MySQL share one database, so
 * each test works in a workspace of its own (see newWorkspaceId); nothing is truncated.
 */
export function testDatabases(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ name: "sqlite", open: openSqlite }];
  const mysql = process.env.TEST_MYSQL_URL;
  if (mysql) kinds.push({ name: "mysql", open: () => openDatabase(mysql, { poolSize: 20 }) });
  return kinds;
}

async function openSqlite(): Promise<Database> {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-test-"));
  const db = await openDatabase(`sqlite:${path.join(dir, "roster.sqlite")}`);
  await db.migrate();
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  return db;
}

/** A workspace ID no other test uses. */
export function newWorkspaceId(): string {
  return `T${randomBytes(6).toString("hex").toUpperCase()}`;
}

/** A user ID no other test uses, readable in failures (`UALICE3F9A`). */
export function newUserId(label = "USER"): string {
  return `U${label.toUpperCase().replace(/[^A-Z0-9]/g, "")}${randomBytes(3).toString("hex").toUpperCase()}`;
}

/** A second connection to the same database, as another process would have. */
export async function openAnother(db: Database): Promise<Database> {
  if (db.dialect === "sqlite") return openDatabase(`sqlite:${String(db.dataSource.options.database)}`);
  return openDatabase(process.env.TEST_MYSQL_URL ?? "", { poolSize: 20 });
}
