import { randomBytes } from "node:crypto";
import { createConnection } from "mysql2/promise";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/data-source";
import { openDatabase } from "../../src/db/database";

const url = process.env.TEST_MYSQL_URL;

/**
 * Many copies of the bot may start at once (a deploy), each running the migrations first. On an
 * empty MySQL database, TypeORM alone lets them all try to create the same tables.
 */
describe.skipIf(!url)("migrations started by several processes at once on MySQL", () => {
  it("applies each migration once and every process starts", async () => {
    const server = new URL(url ?? "");
    const name = `roster_migrate_${process.pid}_${randomBytes(3).toString("hex")}`;
    const admin = await createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const fresh = new URL(url ?? "");
    fresh.pathname = `/${name}`;
    const processes = await Promise.all([1, 2, 3].map(() => openDatabase(fresh.toString())));
    try {
      const applied = await Promise.all(processes.map((db) => db.migrate()));
      expect(applied.flat().sort()).toEqual(migrations.map((m) => new m().name).sort());
      expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(processes.map((db) => db.close()));
      await admin.query(`DROP DATABASE \`${name}\``);
      await admin.end();
    }
  });
});
