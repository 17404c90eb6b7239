import type { LimitPeriod, LimitScope } from "../entities";
import { periodStart } from "../src/domain/periods";
import type { BenchDatabase } from "./bench-db";
import { plainInserter, type UsageTuple } from "./plain-insert";
import { fmt } from "./report";
import { seededRandom } from "./seeded-random";

/** How big an organisation the digest bench builds every digest for. */
export interface DigestSize {
  teams: number;
  /** Memberships (a person in two teams counts twice). */
  members: number;
  /** Distinct people: fewer than memberships, so some are in two teams. */
  people: number;
  events: number;
}

export interface DigestWorld {
  workspaceId: string;
  /** The clock of the bench: the Monday 09:00 UTC the weekly digest falls due. */
  now: number;
  teamIds: number[];
  members: number;
  events: number;
  limits: number;
  counters: number;
  invitations: number;
  requests: number;
  /** Share of the events in the week the digest reports. */
  weekEvents: number;
}

const WORKSPACE = "TDIGEST001";
const OWNER = "UDGOWNER001";
const DAY = 86_400_000;
/** Five weeks of usage: the digest compares two weeks and looks four back for idle members. */
const SPAN = 35 * DAY;
const RESOURCES = [
  "gpt-4o",
  "claude-sonnet",
  "gpt-4o-mini",
  "llama-70b",
  "embeddings-3",
  "claude-haiku",
  "mistral-large",
  "whisper",
  "gemini-pro",
  "rerank-v3",
  "dall-e-3",
  "o3-mini",
];
const MEAN_TOKENS = 50 + 30_000 / 4;
/** A default per member and a member's own limit, by period (member limits are overrides: higher). */
const DEFAULT_TOTAL: Record<LimitPeriod, number> = {
  weekly: 120_000,
  monthly: 400_000,
  daily: 25_000,
  none: 1_500_000,
};
const PERIODS: LimitPeriod[] = ["weekly", "monthly", "daily", "none"];

/**
 * One organisation in one workspace, seeded with bulk multi-row INSERTs (never the services' slow
 * path): `teams` teams with channels (a fortieth of them departments with sub-teams two deep),
 * `members` memberships of skewed sizes (a few teams of hundreds, most of ten to thirty; an owner
 * each, one in ten an admin, some inactive, some joined last week), limits (a default per member
 * in most teams, a budget in a third, a member's own limit for one in fifty), the running totals
 * the spend path would have kept for them, pending invitations and requests in some teams, and
 * `events` usage events over the five weeks before `now`, in time order as they would arrive,
 * spread over members by a heavy-tailed weight (one in twelve never spends: idle; a few stop
 * after the first week). Spend ignores the limits, so some totals run past them, as the digest
 * must show anyway.
 */
export async function seedDigest(
  bench: BenchDatabase,
  size: DigestSize,
  now: number,
  log: (line: string) => void,
): Promise<DigestWorld> {
  const { db } = bench;
  const random = seededRandom(20_260_316);
  const insert = async (table: string, columns: string[], rows: unknown[][], chunk = 500) => {
    const row = `(${columns.map(() => "?").join(", ")})`;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      await db.dataSource.query(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${part.map(() => row).join(", ")}`,
        part.flat(),
      );
    }
  };
  const roles = await db.dataSource.query<{ id: number; name_key: string }[]>(
    "SELECT id, name_key FROM roles WHERE workspace_id IS NULL",
  );
  const role = (key: string) => Number(roles.find((r) => r.name_key === key)?.id);
  await insert("workspaces", ["id", "name", "created_at"], [[WORKSPACE, "Digest bench", now - 400 * DAY]]);

  // Teams, with ids of our own so parents are known before their children are written.
  const [{ top }] = await db.dataSource.query<{ top: number | string | null }[]>(
    "SELECT MAX(id) AS top FROM teams",
  );
  const base = Number(top ?? 0) + 1;
  const departments = Math.max(1, Math.round(size.teams / 40));
  const parentOf = (k: number): number | null => {
    if (k < departments || k % 6 === 0) return null;
    if (k % 6 === 3) return k - 1;
    return k % departments;
  };
  const teamIds = Array.from({ length: size.teams }, (_, k) => base + k);
  await insert(
    "teams",
    [
      "id",
      "workspace_id",
      "name",
      "name_key",
      "parent_id",
      "channel_id",
      "metadata",
      "created_by",
      "created_at",
      "updated_at",
    ],
    teamIds.map((id, k) => {
      const parent = parentOf(k);
      const name = k < departments ? `Department ${k + 1}` : `Team ${k + 1}`;
      return [
        id,
        WORKSPACE,
        name,
        name.toLowerCase(),
        parent === null ? null : base + parent,
        `CDG${String(k).padStart(7, "0")}`,
        "{}",
        OWNER,
        now - 200 * DAY,
        now - 200 * DAY,
      ];
    }),
  );

  // Team sizes: Zipf-like (k+1)^-0.7, dealt to teams in a scrambled order so batches mix sizes.
  const raw = teamIds.map((_, k) => (k + 1) ** -0.7);
  const scale = size.members / raw.reduce((a, b) => a + b, 0);
  const sizes = raw.map((r) => Math.max(3, Math.floor(r * scale)));
  sizes[0] += size.members - sizes.reduce((a, b) => a + b, 0);
  const sizeOf = teamIds.map((_, k) => sizes[(k * 7919) % size.teams]);

  // Memberships in team order; person = index mod people, so a team never holds someone twice.
  const memTeam = new Int32Array(size.members);
  const weight = new Float64Array(size.members);
  const quitAt = new Float64Array(size.members).fill(Infinity);
  const start = now - SPAN;
  const memberRows: unknown[][] = [];
  let m = 0;
  for (let k = 0; k < size.teams; k++) {
    for (let j = 0; j < sizeOf[k]; j++, m++) {
      const owner = j === 0;
      const inactive = !owner && m % 50 === 7;
      const joined = !owner && m % 13 === 5 ? now - 10 * DAY : now - 120 * DAY;
      memTeam[m] = k;
      // Pareto (alpha 1.2), capped: most spend a little, a few spend a lot.
      weight[m] = inactive || (!owner && m % 12 === 11) ? 0 : Math.min(200, (1 - random()) ** (-1 / 1.2));
      if (!owner && m % 40 === 9) quitAt[m] = start + 6 * DAY;
      memberRows.push([
        WORKSPACE,
        teamIds[k],
        person(m % size.people),
        role(owner ? "owner" : j % 10 === 5 ? "admin" : "member"),
        owner ? 1 : null,
        inactive ? "inactive" : "active",
        joined,
        joined,
      ]);
    }
  }
  await insert(
    "memberships",
    ["workspace_id", "team_id", "user_id", "role_id", "owner_marker", "status", "joined_at", "updated_at"],
    memberRows,
  );

  // Limits. Budgets sized against what the team and its sub-teams are expected to spend a month.
  const teamWeight = new Float64Array(size.teams);
  for (let i = 0; i < size.members; i++) teamWeight[memTeam[i]] += weight[i];
  const totalWeight = teamWeight.reduce((a, b) => a + b, 0);
  const subtree = Float64Array.from(teamWeight);
  for (let k = size.teams - 1; k >= 0; k--) {
    const parent = parentOf(k);
    if (parent !== null) subtree[parent] += subtree[k];
  }
  const perMonth = (w: number) => (w / totalWeight) * size.events * (30 / 35) * MEAN_TOKENS;
  const limitRows: unknown[][] = [];
  const limit = (
    k: number,
    scope: LimitScope,
    subject: string,
    tx: number | null,
    total: number | null,
    period: LimitPeriod,
  ) => limitRows.push([WORKSPACE, teamIds[k], scope, subject, tx, total, period, OWNER, now - 60 * DAY]);
  for (let k = 0; k < size.teams; k++) {
    const period = PERIODS[k % 4];
    if (k % 5 <= 2) limit(k, "default", "", k % 2 ? 20_000 : null, DEFAULT_TOTAL[period], period);
    if (k % 5 === 3) limit(k, "default", "", 30_000, null, "none");
    if (k < departments || k % 3 === 0) {
      const lifetime = k % 21 === 0;
      const budget = perMonth(subtree[k]) * (lifetime ? 3 : 1) * [0.5, 0.9, 1.2, 2][k % 4];
      limit(k, "budget", "", null, Math.max(10_000, Math.round(budget)), lifetime ? "none" : "monthly");
    }
  }
  for (let i = 3; i < size.members; i += 50) {
    const period = PERIODS[Math.floor(i / 50) % 4];
    limit(memTeam[i], "member", person(i % size.people), null, DEFAULT_TOTAL[period] * (1 + (i % 3)), period);
  }
  await insert(
    "limits",
    [
      "workspace_id",
      "team_id",
      "scope",
      "subject_key",
      "transaction_max",
      "total_max",
      "period",
      "set_by",
      "updated_at",
    ],
    limitRows,
  );
  const limits = await db.dataSource.query<
    {
      id: number | string;
      team_id: number | string;
      scope: LimitScope;
      subject_key: string;
      period: LimitPeriod;
    }[]
  >(
    "SELECT id, team_id, scope, subject_key, period FROM limits WHERE workspace_id = ? AND total_max IS NOT NULL",
    [WORKSPACE],
  );
  const defaultOf = new Map<number, { id: number; period: LimitPeriod }>();
  const budgetOf = new Map<number, { id: number; period: LimitPeriod }>();
  const ownOf = new Map<string, { id: number; period: LimitPeriod }>();
  for (const l of limits) {
    const entry = { id: Number(l.id), period: l.period };
    if (l.scope === "default") defaultOf.set(Number(l.team_id), entry);
    else if (l.scope === "budget") budgetOf.set(Number(l.team_id), entry);
    else ownOf.set(`${Number(l.team_id)}|${l.subject_key}`, entry);
  }
  // Budgets each event counts against: its team's and every ancestor's.
  const budgetChain = teamIds.map((_, k) => {
    const chain: { id: number; period: LimitPeriod }[] = [];
    for (let t: number | null = k; t !== null; t = parentOf(t)) {
      const b = budgetOf.get(teamIds[t]);
      if (b) chain.push(b);
    }
    return chain;
  });
  const memberLimit = Array.from({ length: size.members }, (_, i) => {
    const teamId = teamIds[memTeam[i]];
    return ownOf.get(`${teamId}|${person(i % size.people)}`) ?? defaultOf.get(teamId) ?? null;
  });

  // Events in time order, as they would arrive; the running totals kept as the spend path keeps them.
  log(`digest: seeding ${fmt(size.events)} usage events…`);
  const cumulative = new Float64Array(size.members);
  for (let i = 0, sum = 0; i < size.members; i++) cumulative[i] = sum += weight[i];
  const pick = () => {
    const target = random() * cumulative[size.members - 1];
    let lo = 0;
    let hi = size.members - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const periodKeys = new Map<number, Record<LimitPeriod, string>>();
  const keysOf = (at: number) => {
    const day = Math.floor(at / DAY);
    let keys = periodKeys.get(day);
    if (!keys) {
      const p = (period: LimitPeriod) => periodStart(period, day * DAY, "UTC");
      keys = { none: "", daily: p("daily"), weekly: p("weekly"), monthly: p("monthly") };
      periodKeys.set(day, keys);
    }
    return keys;
  };
  const counters = new Map<string, number>();
  const count = (limitId: number, subject: string, key: string, tokens: number) => {
    const id = `${limitId}|${subject}|${key}`;
    counters.set(id, (counters.get(id) ?? 0) + tokens);
  };
  const weekFrom = now - 7 * DAY - 9 * 3_600_000;
  let weekEvents = 0;
  const inserter = await plainInserter(bench.url);
  const begin = bench.kind === "mysql" ? "START TRANSACTION" : "BEGIN";
  const chunk = bench.kind === "mysql" ? 2000 : 1000;
  try {
    // The seeding connection's own page cache (SQLite's default is 2 MB): rows arrive in time
    // order, so every team's and member's index entries are written all over the indexes.
    if (bench.kind === "sqlite") await inserter.exec("PRAGMA cache_size = -262144");
    let rows: UsageTuple[] = [];
    await inserter.exec(begin);
    for (let i = 0; i < size.events; i++) {
      const at = Math.floor(start + ((i + random()) * (SPAN - 60_000)) / size.events);
      let who = pick();
      for (let tries = 0; at >= quitAt[who] && tries < 20; tries++) who = pick();
      const k = memTeam[who];
      // One event in 500 is by someone who has left the team since ("former" in the digest).
      const userId = random() < 0.002 ? `UDGFMR${String(k).padStart(5, "0")}` : person(who % size.people);
      const tokens = Math.round(50 + random() ** 3 * 30_000);
      const resource = RESOURCES[(Math.floor(random() ** 2 * RESOURCES.length) + k) % RESOURCES.length];
      rows.push([
        WORKSPACE,
        teamIds[k],
        userId,
        tokens,
        resource,
        `dg-${String(i).padStart(8, "0")}`,
        at,
        at,
      ]);
      if (at >= weekFrom && at < now - 9 * 3_600_000) weekEvents++;
      const keys = keysOf(at);
      const own = userId.startsWith("UDGFMR") ? null : memberLimit[who];
      if (own) count(own.id, userId, keys[own.period], tokens);
      for (const b of budgetChain[k]) count(b.id, "", keys[b.period], tokens);
      if (rows.length === chunk) {
        await inserter.insert(rows);
        rows = [];
        if ((i + 1) % 500_000 === 0) {
          await inserter.exec("COMMIT");
          await inserter.exec(begin);
          log(`digest: ${fmt(i + 1)} of ${fmt(size.events)} events…`);
        }
      }
    }
    await inserter.insert(rows);
    await inserter.exec("COMMIT");
  } finally {
    await inserter.close();
  }
  await insert(
    "limit_counters",
    ["limit_id", "subject_key", "period_start", "tokens"],
    [...counters].map(([id, tokens]) => [...id.split("|").map((v, i) => (i === 0 ? Number(v) : v)), tokens]),
    1000,
  );

  // What waits for admins: invitations in one team in ten (some already past expiry but not yet
  // swept), join and limit requests in one in eight.
  const invitations: unknown[][] = [];
  const requests: unknown[][] = [];
  for (let k = 0; k < size.teams; k += 10) {
    for (let j = 0; j < 1 + (k % 3); j++) {
      const invitee = `UDGINV${String(k * 3 + j).padStart(5, "0")}`;
      const expires = j === 2 ? now - DAY : now + 3 * DAY;
      invitations.push([
        WORKSPACE,
        teamIds[k],
        invitee,
        invitee,
        role("member"),
        OWNER,
        "pending",
        expires,
        now - 4 * DAY,
      ]);
    }
  }
  for (let k = 4; k < size.teams; k += 8) {
    for (const [j, kind] of (["join", "limit", "join"] as const).entries()) {
      if (j === 2 && k % 3 !== 0) continue;
      const requester = `UDGREQ${String(k * 3 + j).padStart(5, "0")}`;
      requests.push([WORKSPACE, teamIds[k], kind, requester, requester, "pending", "{}", now - 2 * DAY]);
    }
  }
  await insert(
    "invitations",
    [
      "workspace_id",
      "team_id",
      "invitee_user_id",
      "pending_key",
      "role_id",
      "inviter_user_id",
      "status",
      "expires_at",
      "created_at",
    ],
    invitations,
  );
  await insert(
    "approval_requests",
    [
      "workspace_id",
      "team_id",
      "kind",
      "requester_user_id",
      "pending_key",
      "status",
      "details",
      "created_at",
    ],
    requests,
  );
  // MariaDB keeps index statistics up to date in the background; settle them before measuring.
  // SQLite gets no ANALYZE: Roster never runs one, so the planner works as it would in production.
  if (bench.kind === "mysql") {
    for (const table of ["usage_events", "memberships", "limits", "limit_counters", "teams"])
      await db.dataSource.query(`ANALYZE TABLE ${table}`);
  }
  return {
    workspaceId: WORKSPACE,
    now,
    teamIds,
    members: size.members,
    events: size.events,
    limits: limitRows.length,
    counters: counters.size,
    invitations: invitations.length,
    requests: requests.length,
    weekEvents,
  };
}

const person = (n: number) => `UDG${String(n).padStart(7, "0")}`;
