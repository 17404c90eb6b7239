import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Database } from "../../src/db/database";
import type { TestDatabaseKind } from "./databases";
import { type ServiceWorld, serviceWorld } from "./services";
import { type SlackWorld, slackWorld } from "./slack-app";

// Fixtures for a `describe.each(testDatabases())` block: each registers its hooks in the block it
// is called in and returns a getter, valid inside that block's hooks and tests. Hooks run in the
// order they are registered (after-hooks in reverse), so a block's own beforeEach, registered
// after the fixture, already sees the world, and its own afterEach runs before the world closes.

function getter<T>(what: string, value: () => T | undefined): () => T {
  return () => {
    const current = value();
    if (current === undefined) throw new Error(`${what} exists only inside the block's hooks and tests`);
    return current;
  };
}

/** `make` before each test of the block, `close` after it. */
export function perTest<T>(
  what: string,
  make: () => T | Promise<T>,
  close: (value: T) => void | Promise<void> = () => {},
): () => T {
  let value: T | undefined;
  beforeEach(async () => {
    value = await make();
  });
  afterEach(async () => {
    const made = value;
    value = undefined;
    if (made !== undefined) await close(made);
  });
  return getter(what, () => value);
}

/** `kind` opened once before the block's tests and closed after them. */
export function useDatabase(kind: TestDatabaseKind): () => Database {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
    db = undefined;
  });
  return getter("the database", () => db);
}

/** Services in a workspace of their own for each test, on `kind` opened once for the block. */
export function useServiceWorld(
  kind: TestDatabaseKind,
  options?: Parameters<typeof serviceWorld>[1],
): () => ServiceWorld {
  const db = useDatabase(kind);
  return perTest("the service world", () => serviceWorld(db(), options));
}

/**
 * The real app and a Slack stand-in started for each test and stopped after it, on `kind` opened
 * once for the block.
 */
export function useSlackWorld(
  kind: TestDatabaseKind,
  options?: Parameters<typeof slackWorld>[1],
): () => SlackWorld {
  const db = useDatabase(kind);
  return perTest(
    "the Slack world",
    () => slackWorld(db(), options),
    (world) => world.close(),
  );
}
