import type { Database } from "../src/db/database";
import type { SeededWorld } from "./ingest-seed";
import type { Workload } from "./ingest-workload";

export interface LimitCheck {
  limit: string;
  max: number;
  used: number;
  over: number;
}

export interface Verification {
  /** Tokens accepted beyond any total limit, summed over every limit and subject: must be 0. */
  overspend: number;
  /** Accepted events larger than the transaction limit that applied to them: must be 0. */
  transactionViolations: number;
  /** Every running-total counter equals the sum of the events it counts. */
  countersMatch: boolean;
  checks: LimitCheck[];
}

/**
 * Recomputes every limit from the recorded events themselves (not from Roster's counters) and
 * compares: what was accepted under each limit, per subject, against its maximum.
 */
export async function verifyIngest(
  db: Database,
  world: SeededWorld,
  workload: Workload,
  since: number,
): Promise<Verification> {
  const { teams } = world;
  const rows = await db.dataSource.query<
    { team_id: number; user_id: string; tokens: string | number; over_tx: string | number }[]
  >(
    `SELECT team_id, user_id, SUM(tokens) AS tokens, SUM(CASE WHEN tokens > ? THEN 1 ELSE 0 END) AS over_tx
       FROM usage_events WHERE team_id IN (?, ?, ?) AND occurred_at >= ? GROUP BY team_id, user_id`,
    [workload.limits.defaultTransaction, teams.org, teams.platform, teams.research, since],
  );
  const used = rows.map((r) => ({
    teamId: Number(r.team_id),
    userId: r.user_id,
    tokens: Number(r.tokens),
    overTx: Number(r.over_tx),
  }));
  const total = (filter: (r: (typeof used)[number]) => boolean) =>
    used.filter(filter).reduce((s, r) => s + r.tokens, 0);
  const { limits, heavy } = workload;
  const check = (limit: string, max: number, spent: number): LimitCheck => ({
    limit,
    max,
    used: spent,
    over: Math.max(0, spent - max),
  });

  const defaults = used.filter((r) => r.teamId === teams.platform && r.userId !== heavy);
  const worstDefault = defaults.reduce((worst, r) => (r.tokens > worst.tokens ? r : worst), {
    tokens: 0,
    userId: "-",
  });
  const checks = [
    check(
      "Org budget (ancestor)",
      limits.orgBudget,
      total(() => true),
    ),
    check(
      "Platform budget",
      limits.platformBudget,
      total((r) => r.teamId === teams.platform),
    ),
    check(`Platform default (highest: ${worstDefault.userId})`, limits.defaultTotal, worstDefault.tokens),
    check(
      `Member limit of ${heavy}`,
      limits.heavyTotal,
      total((r) => r.teamId === teams.platform && r.userId === heavy),
    ),
  ];
  // The default applies to each member: every one of them counts, not just the highest.
  const overspend =
    checks[0].over +
    checks[1].over +
    checks[3].over +
    defaults.reduce((s, r) => s + Math.max(0, r.tokens - limits.defaultTotal), 0);
  const transactionViolations = defaults.reduce((s, r) => s + r.overTx, 0);

  const counters = await db.dataSource.query<
    { scope: string; team_id: number; subject_key: string; tokens: string | number }[]
  >(
    `SELECT l.scope, l.team_id, c.subject_key, c.tokens FROM limit_counters c JOIN limits l ON l.id = c.limit_id WHERE l.workspace_id = ?`,
    [world.owner.workspaceId],
  );
  const countersMatch = counters.every((c) => {
    const teamId = Number(c.team_id);
    const expected =
      c.scope === "budget"
        ? teamId === teams.org
          ? total(() => true)
          : total((r) => r.teamId === teamId)
        : total((r) => r.teamId === teamId && r.userId === c.subject_key);
    return Number(c.tokens) === expected;
  });
  return { overspend, transactionViolations, countersMatch, checks };
}
