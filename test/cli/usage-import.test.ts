import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runUsageImport } from "../../src/cli/usage-import";
import type { Actor } from "../../src/services/actor";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import type { ServiceWorld } from "../support/services";

const HEADER = "transactionId,user,tokens,resource,occurredAt";

describe.each(testDatabases())("npm run usage:import on $name", (kind) => {
  const serviceWorldOf = useServiceWorld(kind);
  let dir: string;
  let world: ServiceWorld;
  let owner: Actor;
  let alice: string;
  let bob: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "roster-import-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    world = serviceWorldOf();
    owner = world.user("owner");
    alice = world.user("alice").userId;
    bob = world.user("bob").userId;
    await world.services.teams.create(owner, { name: "AI Platform" });
    await world.services.members.add(owner, "AI Platform", [alice, bob]);
  });

  const databaseUrl = () =>
    kind.name === "sqlite"
      ? `sqlite:${String(world.db.dataSource.options.database)}`
      : (process.env.TEST_MYSQL_URL ?? "");

  let files = 0;
  const csv = (...lines: string[]) => {
    const file = path.join(dir, `usage-${++files}.csv`);
    writeFileSync(file, `${lines.join("\r\n")}\r\n`);
    return file;
  };

  /** Runs the import as `npm run usage:import -- <args>` would; returns the exit status and output. */
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runUsageImport(args, {
      env: { DATABASE_URL: databaseUrl(), TIMEZONE: "UTC", ...env },
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    });
    return { code, stdout: out.join(""), stderr: err.join("") };
  };
  const importInto = (file: string, env?: Record<string, string>) =>
    run([file, "--team", "ai platform", "--workspace", world.workspaceId], env);
  const total = async () =>
    await world.services.usageReports.report(world.workspaceId, await teamId(), {
      from: "2026-01-01",
      to: "2026-12-31",
      by: "user",
    });
  const teamId = async () => (await world.services.teams.get(owner, "AI Platform")).team.id;

  it("imports valid rows, reports each outcome, and imports nothing when run again", async () => {
    await world.services.limits.set(owner, "AI Platform", { userId: alice, totalMax: 1000 });
    const file = csv(
      HEADER,
      `t1,${alice},600,gpt-4o,2026-01-05T09:00:00Z`,
      `t2,${alice},500,gpt-4o,2026-01-05T10:00:00Z`,
      `t3,${bob},100,gpt-4o,2026-01-06`,
      `t1,${alice},600,gpt-4o,2026-01-05T09:00:00Z`,
      "t4,UCAROLNOTIN,5,gpt-4o,",
      `t5,${bob},12.5,gpt-4o,2026-01-06`,
      `t6,"bob ""the"" builder",1,gpt-4o,2026-01-06`,
      `t7,${bob},7,"claude, sonnet",1767700000000`,
      `t8,${bob}@example.com,1,gpt-4o,2026-01-06`,
      `t9,${bob},1,gpt-4o,2999-01-01T00:00:00Z`,
    );
    const first = await importInto(file);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/AI Platform .*: 10 rows/);
    expect(first.stdout).toMatch(/accepted +3\n/);
    expect(first.stdout).toMatch(/duplicate +1\n/);
    expect(first.stdout).toMatch(/rejected +2 +\(total_limit 1, not_a_member 1\)\n/);
    expect(first.stdout).toMatch(/invalid +4\n/);
    expect(first.stdout).toContain('line 7: tokens "12.5" is not a whole number');
    expect(first.stdout).toContain('line 8: user "bob \\"the\\" builder" is neither a Slack user ID');
    expect(first.stdout).toContain("line 10: user");
    expect(first.stdout).toContain("SLACK_BOT_TOKEN");
    expect(first.stdout).toContain('line 11: occurredAt "2999-01-01T00:00:00Z" is in the future');
    const report = await total();
    expect(report.total).toBe(707);
    expect(Object.fromEntries(report.rows.map((r) => [r.key, r.tokens]))).toEqual({
      [alice]: 600,
      [bob]: 107,
    });

    const again = await importInto(file);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/accepted +0\n/);
    expect(again.stdout).toMatch(/duplicate +4\n/);
    expect((await total()).total).toBe(707);
  });

  it("sends the file in batches of 500 and stops at the team's budget exactly", async () => {
    await world.services.limits.set(owner, "AI Platform", { budget: true, totalMax: 1000 });
    const rows = Array.from(
      { length: 1201 },
      (_, i) => `b${i},${i % 2 ? alice : bob},1,gpt-4o,2026-02-01T00:00:00Z`,
    );
    const result = await importInto(csv(HEADER, ...rows));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/accepted +1,000\n/);
    expect(result.stdout).toMatch(/rejected +201 +\(budget 201\)/);
    expect((await total()).total).toBe(1000);
  });

  it("looks emails up in Slack when SLACK_BOT_TOKEN is set", async () => {
    const slack = new SlackStandIn({ workspaceId: world.workspaceId });
    await slack.start();
    try {
      slack.addUser({ id: bob, name: "bob", email: "Bob@Example.com" });
      const file = csv(
        HEADER,
        "e1,bob@example.com,40,gpt-4o,2026-03-01",
        "e2,nobody@example.com,1,gpt-4o,2026-03-01",
      );
      const result = await importInto(file, { SLACK_BOT_TOKEN: "xoxb-test", SLACK_API_URL: slack.apiUrl });
      expect(result.stdout).toMatch(/accepted +1\n/);
      expect(result.stdout).toMatch(/rejected +1 +\(not_a_member 1\)/);
      expect((await total()).rows).toEqual([{ key: bob, tokens: 40, events: 1 }]);
    } finally {
      await slack.stop();
    }
  });

  it("refuses a file it can't use with one sentence, and imports nothing", async () => {
    const badHeader = await importInto(csv("id,user,tokens,resource", `x1,${bob},1,gpt-4o`));
    expect(badHeader).toMatchObject({ code: 1, stdout: "" });
    expect(badHeader.stderr).toBe(
      'Unknown column "id" in the header; the columns are transactionId,user,tokens,resource[,occurredAt].\n',
    );
    const noTeam = await run([csv(HEADER), "--team", "Nope", "--workspace", world.workspaceId]);
    expect(noTeam).toMatchObject({
      code: 1,
      stderr: `There is no team called “Nope” in workspace ${world.workspaceId}.\n`,
    });
    const noWorkspace = await run([csv(HEADER), "--team", "AI Platform"]);
    expect(noWorkspace.code).toBe(2);
    expect(noWorkspace.stderr).toMatch(/^Give the team's Slack workspace ID with --workspace/);
    const noFile = await importInto(path.join(dir, "missing.csv"));
    expect(noFile).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^There is no file .*missing\.csv\.\n$/),
    });
    expect((await total()).total).toBe(0);
  });

  it("runs as npm run usage:import does, in its own process", async () => {
    const file = csv(HEADER, `p1,${bob},12,gpt-4o,2026-04-01T12:00:00+02:00`);
    const tsx = path.resolve("node_modules/.bin/tsx");
    const { stdout } = await promisify(execFile)(
      tsx,
      ["src/cli/usage-import.ts", file, `--team=AI Platform`, `--workspace=${world.workspaceId}`],
      {
        env: { ...process.env, DATABASE_URL: databaseUrl(), SLACK_BOT_TOKEN: "" },
      },
    );
    expect(stdout).toMatch(/accepted +1\n/);
    expect((await total()).rows).toEqual([{ key: bob, tokens: 12, events: 1 }]);
  });
});
