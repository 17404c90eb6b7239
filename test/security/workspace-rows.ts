import type { Database } from "../../src/db/database";

/**
 * Tables with no workspace_id column of their own, and how their rows reach a workspace. A table
 * that is in neither list makes `workspaceRows` throw, so a new table can't escape the checks.
 */
const THROUGH_PARENT: Record<string, string> = {
  limit_counters: "limit_id IN (SELECT id FROM limits WHERE workspace_id = ?)",
  limit_notices: "limit_id IN (SELECT id FROM limits WHERE workspace_id = ?)",
  approval_messages: "request_id IN (SELECT id FROM approval_requests WHERE workspace_id = ?)",
  workspaces: "id = ?",
};
/** Belongs to no workspace: Slack's delivery ids, kept so a redelivered request runs once. */
const GLOBAL = new Set(["slack_deliveries", "migrations", "typeorm_metadata"]);

/**
 * Every row of every table that belongs to `workspaceId`, as one string per table: compare two
 * readings to prove that a refused request changed nothing (not even a row updated in place).
 * Read on the database's own queue, so on SQLite it never lands inside another transaction.
 */
export async function workspaceRows(db: Database, workspaceId: string): Promise<Record<string, string>> {
  const tables = db.dataSource.entityMetadatas.map((m) => ({
    name: m.tableName,
    scoped: m.columns.some((c) => c.databaseName === "workspace_id"),
    order: m.primaryColumns.map((c) => c.databaseName).join(", "),
  }));
  // On MySQL the tables are read side by side, on connections of the pool; SQLite has one.
  return db.read(async () => {
    const read = tables
      .filter((table) => !GLOBAL.has(table.name))
      .map(async (table): Promise<[string, string]> => {
        const where = table.scoped ? "workspace_id = ?" : THROUGH_PARENT[table.name];
        if (!where) throw new Error(`workspaceRows doesn't know how ${table.name} belongs to a workspace`);
        const found: unknown[] = await db.dataSource.query(
          `SELECT * FROM ${table.name} WHERE ${where} ORDER BY ${table.order}`,
          [workspaceId],
        );
        return [table.name, JSON.stringify(found)];
      });
    return Object.fromEntries(await Promise.all(read));
  });
}

/** The tables whose rows differ between two readings (empty when nothing changed). */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
