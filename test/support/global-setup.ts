import { openDatabase } from "../../src/db/database";

/**
 * With TEST_MYSQL_URL set, the MySQL/MariaDB database must answer: migrate it once before any
 * test file runs (files run in parallel and would race to create tables). Unreachable = failure.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_MYSQL_URL;
  if (!url) return;
  const db = await openDatabase(url).catch((error: unknown) => {
    throw new Error(`TEST_MYSQL_URL is set but the database can't be reached: ${String(error)}`);
  });
  try {
    await db.migrate();
  } finally {
    await db.close();
  }
}
