import type { Database } from "../src/db/database";
import type { Services } from "../src/services";
import type { Actor } from "../src/services/actor";
import type { BenchTeam, Workload } from "./ingest-workload";
import type { PlainInserter, UsageTuple } from "./plain-insert";

export interface SeededWorld {
  owner: Actor;
  /** Team IDs; Warmup has no limits and only its owner, for warming both paths up. */
  teams: Record<BenchTeam | "org" | "warmup", number>;
  names: Record<BenchTeam | "org" | "warmup", string>;
}

const NAMES = { org: "Org", platform: "Platform", research: "Research", warmup: "Warmup" } as const;
const DAY = 86_400_000;
const HISTORY_CHUNK = 1000;

/**
 * Seeds the ingest bench: the four teams and the four limits through the services (a handful of
 * calls), and the members and the history (`history` events, dated 40 days back so no current
 * limit counts them) with bulk multi-row INSERTs, not the slow path.
 */
export async function seedIngest(
  db: Database,
  services: Services,
  inserter: PlainInserter,
  workload: Workload,
  history: number,
  t0: number,
): Promise<SeededWorld> {
  const owner: Actor = { workspaceId: "TBENCH0001", userId: "UOWNER000001" };
  const org = await services.teams.create(owner, { name: NAMES.org });
  const platform = await services.teams.create(owner, { name: NAMES.platform, parent: NAMES.org });
  const research = await services.teams.create(owner, { name: NAMES.research, parent: NAMES.org });
  const warmup = await services.teams.create(owner, { name: NAMES.warmup });
  const teams = { org: org.id, platform: platform.id, research: research.id, warmup: warmup.id };

  const [role] = await db.dataSource.query<{ id: number }[]>(
    "SELECT id FROM roles WHERE workspace_id IS NULL AND name_key = 'member'",
  );
  const members = [
    ...workload.users.platform.map((userId) => [teams.platform, userId] as const),
    ...workload.users.research.map((userId) => [teams.research, userId] as const),
  ];
  for (let i = 0; i < members.length; i += 500) {
    const chunk = members.slice(i, i + 500);
    await db.dataSource.query(
      `INSERT INTO memberships (workspace_id, team_id, user_id, role_id, owner_marker, status, joined_at, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, NULL, 'active', ?, ?)").join(", ")}`,
      chunk.flatMap(([teamId, userId]) => [
        owner.workspaceId,
        teamId,
        userId,
        Number(role.id),
        t0 - 90 * DAY,
        t0 - 90 * DAY,
      ]),
    );
  }

  const past = t0 - 40 * DAY;
  let rows: UsageTuple[] = [];
  for (let i = 0; i < history; i++) {
    const team: BenchTeam = i % 10 < 7 ? "platform" : "research";
    const pool = workload.users[team];
    const userId = pool[i % pool.length];
    rows.push([
      owner.workspaceId,
      teams[team],
      userId,
      1 + (i % 1999),
      "gpt-4o",
      `hist-${i}`,
      past - i * 10,
      past - i * 10,
    ]);
    if (rows.length === HISTORY_CHUNK) {
      await inserter.insert(rows);
      rows = [];
    }
  }
  await inserter.insert(rows);

  const { limits } = workload;
  const monthly = { period: "monthly" as const };
  await services.limits.set(owner, NAMES.org, { budget: true, totalMax: limits.orgBudget, ...monthly });
  await services.limits.set(owner, NAMES.platform, {
    budget: true,
    totalMax: limits.platformBudget,
    ...monthly,
  });
  await services.limits.set(owner, NAMES.platform, {
    transactionMax: limits.defaultTransaction,
    totalMax: limits.defaultTotal,
    ...monthly,
  });
  await services.limits.set(owner, NAMES.platform, {
    userId: workload.heavy,
    totalMax: limits.heavyTotal,
    ...monthly,
  });
  return { owner, teams, names: NAMES };
}
