import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { openDatabase } from "./database";

/** `npm run migrate`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config.DATABASE_URL);
  const applied = await db.migrate();
  log.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : "database is up to date");
  await db.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
