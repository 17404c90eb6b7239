import { createRosterApp } from "./app";
import { ConfigError, loadConfig, requireSlackCredentials } from "./config";
import { openDatabase } from "./db/database";
import { startScheduler } from "./jobs/scheduler";
import { createLogger } from "./logger";

/** `npm start`: validate the configuration, apply pending migrations, run the bot. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireSlackCredentials(config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config.DATABASE_URL);
  const applied = await db.migrate();
  if (applied.length) logger.info({ applied }, "applied migrations");
  const roster = createRosterApp({ config, db, logger });
  const { port } = await roster.start();
  logger.info({ port, mode: config.SLACK_APP_TOKEN ? "socket" : "http" }, "Roster is running");
  // Every process runs the scheduler; the database gives each piece of work to one of them.
  const scheduler = startScheduler({ ...roster.deps, client: roster.app.client }, config);

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    scheduler
      .stop()
      .then(() => roster.stop())
      .then(() => db.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  // A configuration problem is one line naming the variable; anything else is a real failure.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
