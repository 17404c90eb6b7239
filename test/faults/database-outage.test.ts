import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../src/db/data-source";
import { type Database, openDatabase } from "../../src/db/database";
import { newUserId } from "../support/databases";
import { type SlackWorld, slackWorld } from "../support/slack-app";
import { healthz, SLACK_ACK_MS, sleep, timedCommand, watchProcess } from "./fault-support";
import { TcpProxy } from "./tcp-proxy";

const UNREACHABLE = ":warning: Roster can't reach its database right now; try again in a minute.";
const BUSY = ":warning: Roster's database is busy right now; try again in a minute.";
const created = (name: string) => `Created ${name}; you're its owner.`;

const mysqlUrl = process.env.TEST_MYSQL_URL;

/**
 * A Slack world whose database pool reaches MariaDB only through a proxy the test can cut (a host
 * going down) or freeze (a partition), watched for unhandled errors and exits.
 */
async function openBehindProxy(url: string) {
  const target = new URL(url);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
  const viaProxy = new URL(target);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(await proxy.start());
  const db = await openDatabase(viaProxy.toString(), { poolSize: 5 });
  return { proxy, db, world: await slackWorld(db), watch: watchProcess() };
}

/** Undoes openBehindProxy, whatever the test left the proxy in. */
async function closeBehindProxy({ proxy, db, world, watch }: Awaited<ReturnType<typeof openBehindProxy>>) {
  watch.stop();
  proxy.thaw();
  await proxy.restore().catch(() => undefined);
  await world.close();
  await db.close();
  await proxy.stop();
}

/**
 * Every team of the workspace whole: exactly one owner and one creation audit event each, and no
 * creation audit event for a team that isn't there. A change cut off half-way breaks one of these.
 */
async function expectEveryTeamWhole(db: Database, workspaceId: string): Promise<string[]> {
  const teams = (await db.dataSource.query(
    "SELECT t.name AS name, " +
      "(SELECT COUNT(*) FROM memberships m WHERE m.team_id = t.id AND m.owner_marker IS NOT NULL) AS owners, " +
      "(SELECT COUNT(*) FROM audit_events a WHERE a.team_id = t.id AND a.action = 'team.created') AS audits " +
      "FROM teams t WHERE t.workspace_id = ?",
    [workspaceId],
  )) as { name: string; owners: number | string; audits: number | string }[];
  for (const team of teams) {
    expect({ team: team.name, owners: Number(team.owners), audits: Number(team.audits) }).toEqual({
      team: team.name,
      owners: 1,
      audits: 1,
    });
  }
  const [{ audits }] = (await db.dataSource.query(
    "SELECT COUNT(*) AS audits FROM audit_events WHERE workspace_id = ? AND action = 'team.created'",
    [workspaceId],
  )) as { audits: number | string }[];
  expect(Number(audits)).toBe(teams.length);
  return teams.map((t) => t.name);
}

describe.skipIf(!mysqlUrl)("the database goes away mid-traffic and comes back on mysql", () => {
  let proxy: TcpProxy;
  let db: Database;
  let world: SlackWorld;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    ({ proxy, db, world, watch } = await openBehindProxy(mysqlUrl ?? ""));
  });

  afterEach(() => closeBehindProxy({ proxy, db, world, watch }));

  it("answers 503 and a try-again sentence while it's gone, half-writes nothing, and recovers without a restart", async () => {
    const owner = world.person(newUserId("owner"));
    const people = [1, 2, 3, 4].map((i) => world.person(newUserId(`load${i}`)));
    expect(await (await timedCommand(world, owner, "create Platform")).reply()).toBe(created("Platform"));
    expect(await healthz(world)).toBe(200);

    // Traffic: four people each creating a team, then reading one, one command after another.
    const outcomes: { command: string; status: number; ackMs: number; reply: string }[] = [];
    let running = true;
    const traffic = people.map(async (person, p) => {
      for (let n = 0; running; n++) {
        const command = n % 2 ? "info Platform" : `create Load-${p}-${n}`;
        const answer = await timedCommand(world, person, command);
        outcomes.push({ command, status: answer.status, ackMs: answer.ackMs, reply: await answer.reply() });
      }
    });

    await sleep(400);
    await proxy.cut();
    expect(await healthz(world)).toBe(503);
    const during = await timedCommand(world, owner, "create Outage");
    expect(during.status).toBe(200);
    expect(during.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await during.reply()).toBe(UNREACHABLE);
    expect(await (await timedCommand(world, owner, "info Platform")).reply()).toBe(UNREACHABLE);
    await sleep(500);

    await proxy.restore();
    await expect.poll(() => healthz(world), { timeout: 10_000 }).toBe(200);
    expect(await (await timedCommand(world, owner, "create Outage")).reply()).toBe(created("Outage"));
    await sleep(500);
    running = false;
    await Promise.all(traffic);

    // Every command was answered in time with what happened or a sentence to try again.
    const refused = outcomes.filter((o) => o.reply === UNREACHABLE);
    const done = outcomes.filter((o) => o.reply !== UNREACHABLE);
    expect(refused.length).toBeGreaterThan(0);
    expect(done.filter((o) => o.command.startsWith("create")).length).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect(o.status).toBe(200);
      expect(o.ackMs).toBeLessThan(SLACK_ACK_MS);
    }
    for (const o of done) {
      expect(o.reply).toBe(o.command.startsWith("create") ? created(o.command.slice(7)) : o.reply);
      if (o.command.startsWith("info")) expect(o.reply).toMatch(/^Platform: owner /);
    }
    // What was answered as done is there, whole; what was refused while the database was gone isn't.
    const teams = await expectEveryTeamWhole(db, world.workspaceId);
    for (const o of done.filter((d) => d.command.startsWith("create"))) {
      expect(teams).toContain(o.command.slice(7));
    }
    expect(teams.filter((t) => t === "Outage")).toHaveLength(1);
    expect(watch.problems).toEqual([]);
    // Logged as the outage it is (a warning with the request's ids), not as a failure of ours.
    const failures = world.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(failures).toEqual([]);
  });
});

describe.skipIf(!mysqlUrl)("the network to the database goes silent, then comes back, on mysql", () => {
  let proxy: TcpProxy;
  let db: Database;
  let world: SlackWorld;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    ({ proxy, db, world, watch } = await openBehindProxy(mysqlUrl ?? ""));
  });

  afterEach(() => closeBehindProxy({ proxy, db, world, watch }));

  // A partition drops packets without resetting anything: queries neither answer nor fail.
  it("answers /healthz 503 within its two seconds, acks in time, and finishes or refuses the change once it's back", async () => {
    const owner = world.person(newUserId("owner"));
    expect(await (await timedCommand(world, owner, "create Platform")).reply()).toBe(created("Platform"));

    proxy.freeze();
    const asked = Date.now();
    expect(await healthz(world)).toBe(503);
    expect(Date.now() - asked).toBeLessThan(SLACK_ACK_MS);
    const stuck = await timedCommand(world, owner, "create Silent");
    expect(stuck.status).toBe(200);
    expect(stuck.ackMs).toBeLessThan(SLACK_ACK_MS);
    await sleep(1_000);

    proxy.thaw();
    // Whatever was on the wire completes; a connection that never opened was refused in time.
    const reply = await stuck.reply();
    expect([created("Silent"), UNREACHABLE]).toContain(reply);
    await expect.poll(() => healthz(world), { timeout: 10_000 }).toBe(200);
    expect(await (await timedCommand(world, owner, "create After")).reply()).toBe(created("After"));
    const teams = (await expectEveryTeamWhole(db, world.workspaceId)).sort();
    expect(teams).toEqual(reply === UNREACHABLE ? ["After", "Platform"] : ["After", "Platform", "Silent"]);
    expect(watch.problems).toEqual([]);
  });
});

describe("another process holds the SQLite database's write lock, then lets go", () => {
  let dir: string;
  let file: string;
  let db: Database;
  let world: SlackWorld;
  /** Another connection to the file, as another process would have: it takes the lock. */
  let holder: DataSource | undefined;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "roster-fault-"));
    file = path.join(dir, "roster.sqlite");
    db = await openDatabase(`sqlite:${file}`);
    await db.migrate();
    world = await slackWorld(db);
    watch = watchProcess();
  });

  afterEach(async () => {
    watch.stop();
    await holder?.destroy();
    await world.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The embedded database can't go away the way a server does; what does happen is another process
   * (an import, a backup, the sqlite3 shell) holding the write lock for longer than Roster's busy
   * timeout (5 s). Reads still work (WAL); writes can't. /healthz stays 200: the database answers.
   */
  it("acks in time, answers a try-again sentence, writes nothing half-way, and carries on once the lock goes", async () => {
    const owner = world.person(newUserId("owner"));
    expect(await (await timedCommand(world, owner, "create Platform")).reply()).toBe(created("Platform"));

    holder = createDataSource(`sqlite:${file}`);
    await holder.initialize();
    await holder.query("BEGIN EXCLUSIVE");
    const write = await timedCommand(world, owner, "create Locked");
    expect(write.status).toBe(200);
    expect(write.ackMs).toBeLessThan(SLACK_ACK_MS);
    const read = await timedCommand(world, owner, "info Platform");
    expect(read.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await write.reply()).toBe(BUSY);
    expect(await read.reply()).toMatch(/^Platform: owner /);
    expect(await healthz(world)).toBe(200);

    await holder.query("ROLLBACK");
    await holder.destroy();
    holder = undefined;
    const after = await timedCommand(world, owner, "create Locked");
    expect(after.ackMs).toBeLessThan(SLACK_ACK_MS);
    expect(await after.reply()).toBe(created("Locked"));
    expect((await expectEveryTeamWhole(db, world.workspaceId)).sort()).toEqual(["Locked", "Platform"]);
    expect(watch.problems).toEqual([]);
  });
});
