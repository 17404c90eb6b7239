import { createRequire } from "node:module";
import mysql from "mysql2/promise";

/** A usage_events row in column order: what the baseline and the history seeding insert. */
export type UsageTuple = [
  workspaceId: string,
  teamId: number,
  userId: string,
  tokens: number,
  resource: string,
  transactionId: string,
  occurredAt: number,
  createdAt: number,
];

const COLUMNS = "workspace_id, team_id, user_id, tokens, resource, transaction_id, occurred_at, created_at";
const WIDTH = 8;

/** Plain multi-row INSERTs into usage_events, one statement (autocommitted) per call. */
export interface PlainInserter {
  insert(rows: UsageTuple[]): Promise<void>;
  /** Any other statement (DELETE, ANALYZE), bypassing every Roster layer. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}
type SqliteConstructor = new (file: string, options?: { timeout?: number }) => SqliteConnection;

/**
 * The baseline of SPEC section 8's ingest figure: the same rows with nothing but the INSERT. MySQL:
 * mysql2 on its own connection, `INSERT … VALUES ?` expanded client-side into one multi-row
 * statement. SQLite: better-sqlite3 on its own connection, a prepared multi-row statement per batch
 * size (the file is in WAL mode, as Roster opens it, with the same default synchronous setting).
 */
export async function plainInserter(url: string): Promise<PlainInserter> {
  if (url.startsWith("mysql://")) {
    const connection = await mysql.createConnection({ uri: url, supportBigNumbers: true });
    return {
      async insert(rows) {
        if (rows.length) await connection.query(`INSERT INTO usage_events (${COLUMNS}) VALUES ?`, [rows]);
      },
      async exec(sql) {
        await connection.query(sql);
      },
      close: () => connection.end(),
    };
  }
  // better-sqlite3 ships no types of its own; the two methods used here are declared above.
  const Sqlite = createRequire(__filename)("better-sqlite3") as SqliteConstructor;
  const connection = new Sqlite(url.slice("sqlite:".length), { timeout: 5000 });
  const statements = new Map<number, SqliteStatement>();
  const statementFor = (count: number) => {
    let statement = statements.get(count);
    if (!statement) {
      const row = `(${Array.from({ length: WIDTH }, () => "?").join(", ")})`;
      statement = connection.prepare(
        `INSERT INTO usage_events (${COLUMNS}) VALUES ${Array.from({ length: count }, () => row).join(", ")}`,
      );
      statements.set(count, statement);
    }
    return statement;
  };
  return {
    insert(rows) {
      if (rows.length) statementFor(rows.length).run(...rows.flat());
      return Promise.resolve();
    },
    exec(sql) {
      connection.exec(sql);
      return Promise.resolve();
    },
    close() {
      connection.close();
      return Promise.resolve();
    },
  };
}
