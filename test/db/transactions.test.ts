import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";
import { serviceWorld } from "../support/services";

describe.each(testDatabases())("transactions on $name", (kind) => {
  const testDb = useDatabase(kind);
  let db: Database;
  beforeAll(() => {
    db = testDb();
  });

  // READ COMMITTED is set once per pooled connection (not before every transaction): every
  // transaction, on whichever connection, must still read what others committed after it began.
  it.runIf(kind.name === "mysql")(
    "reads, inside a transaction, what another connection committed meanwhile, on every pooled connection",
    async () => {
      const world = serviceWorld(db);
      const owner = world.user("owner");
      const teams = await Promise.all(
        Array.from({ length: 12 }, (_, i) => world.services.teams.create(owner, { name: `Iso ${i}` })),
      );
      // Twelve at once, so they run on twelve connections of the pool, old and new.
      const seen = await Promise.all(
        teams.map((team, i) =>
          db.transaction(async (repos) => {
            expect((await repos.teams.findById(world.workspaceId, team.id))?.description).toBe("");
            await db.dataSource.query("UPDATE teams SET description = ? WHERE id = ?", [
              `changed ${i}`,
              team.id,
            ]);
            return (await repos.teams.findById(world.workspaceId, team.id))?.description;
          }),
        ),
      );
      expect(seen).toEqual(teams.map((_, i) => `changed ${i}`));
    },
  );

  it("reads aside, on connections of their own, only as many at once as leave the pool room", async () => {
    const pause = () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), 100));
    if (kind.name === "sqlite") {
      // One connection, held by any transaction: never beside it.
      expect(db.readAside(pause)).toBeUndefined();
      return;
    }
    // The tests' pool has 20 connections: 10 reads aside at most.
    const out = Array.from({ length: 12 }, () => db.readAside(pause));
    expect(out.filter((read) => read !== undefined)).toHaveLength(10);
    expect(await Promise.all(out.filter((read) => read !== undefined))).toEqual(Array(10).fill("done"));
    expect(await db.readAside(pause)).toBe("done");
  });
});
