import { type EntityManager, In } from "typeorm";
import { LimitEntity, type LimitPeriod, type LimitScope, type MembershipStatus } from "../../entities";
import { counterKey } from "./counter.repository";
import { type RowOf, spendChanged } from "./workspace.repository";

export type LimitValues = Pick<LimitEntity, "transactionMax" | "totalMax" | "period" | "setBy" | "updatedAt">;

/** What deciding spends in a team needs to know, read in one statement. */
export interface SpendContext {
  /** The team and its ancestors, nearest first; empty when the team doesn't exist. */
  chain: number[];
  /** Each of the users who is a member of the team, with their status. */
  statuses: Map<string, MembershipStatus>;
  /** Every limit that can apply to their spends (as `applicable` returns them). */
  limits: LimitEntity[];
  /**
   * With `periods`: the running total of each of those limits for each of the users (or the
   * team, for a budget) in those periods, by counterKey; a counter not yet created is absent.
   */
  counters: Map<string, { id: number; tokens: number }>;
  /** With `keyId`: whether that API key of the team is still live (not revoked). */
  keyLive: boolean;
  /** The workspace's spend version when this was read (WorkspaceRepository.spendChanged). */
  version: number;
}

/** The period each kind of limit is in at one time (`periodStart`; "none" is always ""). */
export type PeriodStarts = Record<Exclude<LimitPeriod, "none">, string>;

const LIMIT_COLUMNS =
  "l.id, l.workspace_id, l.team_id, l.scope, l.subject_key, l.transaction_max, l.total_max, l.period, l.set_by, l.updated_at";
const NO_LIMIT =
  "NULL AS id, NULL AS workspace_id, NULL AS team_id, NULL AS scope, NULL AS subject_key, NULL AS transaction_max, NULL AS total_max, NULL AS period, NULL AS set_by, NULL AS updated_at, NULL AS counter_id, NULL AS counter_subject, NULL AS counter_period, NULL AS counter_tokens";
const NO_COUNTER = "NULL, NULL, NULL, NULL";
const COUNTER_COLUMNS = "c.id, c.subject_key, c.period_start, c.tokens";

interface ContextRow {
  kind: "team" | "member" | "limit" | "key" | "version";
  team: number | string | null;
  depth: number | string | null;
  user_id: string | null;
  status: MembershipStatus | null;
  id: number | string | null;
  workspace_id: string | null;
  team_id: number | string | null;
  scope: LimitScope | null;
  subject_key: string | null;
  transaction_max: number | string | null;
  total_max: number | string | null;
  period: LimitPeriod | null;
  set_by: string | null;
  updated_at: number | string | null;
  counter_id: number | string | null;
  counter_subject: string | null;
  counter_period: string | null;
  counter_tokens: number | string | null;
}

export class LimitRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(LimitEntity);
  }

  async find(teamId: number, scope: LimitScope, subjectKey: string): Promise<LimitEntity | null> {
    return this.repo.findOneBy({ teamId, scope, subjectKey });
  }

  async findMember(teamId: number, userId: string): Promise<LimitEntity | null> {
    return this.find(teamId, "member", userId);
  }

  /** The limit a member spends under personally: their own, or else the team's default. */
  async personal(teamId: number, userId: string): Promise<LimitEntity | null> {
    return (await this.findMember(teamId, userId)) ?? (await this.find(teamId, "default", ""));
  }

  /** Creates or replaces the limit of (team, scope, subject); returns the row. */
  async put(
    workspaceId: string,
    teamId: number,
    scope: LimitScope,
    subjectKey: string,
    values: LimitValues,
  ): Promise<LimitEntity> {
    // put and delete change what a spend is measured against: each records it (spendChanged).
    await spendChanged(this.manager, workspaceId);
    const existing = await this.find(teamId, scope, subjectKey);
    if (existing) {
      await this.repo.update({ id: existing.id }, values);
      return { ...existing, ...values };
    }
    const row = { workspaceId, teamId, scope, subjectKey, ...values };
    const result = await this.repo.insert(row);
    return { ...row, id: Number(result.identifiers[0].id) };
  }

  async delete(limit: RowOf): Promise<void> {
    await this.repo.delete({ id: limit.id });
    await spendChanged(this.manager, limit.workspaceId);
  }

  /** Sets a member's total limit, keeping their transaction limit, creating the row if needed. */
  async setMemberTotal(
    workspaceId: string,
    teamId: number,
    userId: string,
    totalMax: number,
    period: LimitPeriod,
    setBy: string,
    now: number,
    transactionMax?: number | null,
  ): Promise<LimitEntity> {
    const existing = await this.findMember(teamId, userId);
    return this.put(workspaceId, teamId, "member", userId, {
      transactionMax: transactionMax === undefined ? (existing?.transactionMax ?? null) : transactionMax,
      totalMax,
      period,
      setBy,
      updatedAt: now,
    });
  }

  /**
   * Every limit that can apply to spends by `userIds` in `teamId`: their member limits and the
   * team's default there, and the budgets of the team and each of its ancestors (`chain`).
   */
  async applicable(teamId: number, chain: number[], userIds: string[]): Promise<LimitEntity[]> {
    const query = this.repo
      .createQueryBuilder("l")
      .where("(l.team_id IN (:...chain) AND l.scope = 'budget')", { chain })
      .orWhere("(l.team_id = :teamId AND l.scope = 'default')", { teamId });
    if (userIds.length)
      query.orWhere("(l.team_id = :teamId AND l.scope = 'member' AND l.subject_key IN (:...userIds))", {
        teamId,
        userIds,
      });
    return query.getMany();
  }

  /**
   * The spend path's context in one round trip instead of three: the team's chain of ancestors
   * (one recursive query, whatever the depth), which of `userIds` are its members, and every limit
   * that can apply to them (their member limits and the team's default there, the budgets of the
   * team and each ancestor). Each branch of the UNION is an equality or IN lookup on a unique index.
   * With `periods`, each limit's counters for these users in those periods come along (unlocked),
   * and with `keyId`, whether the API key the request came with is still live: so a check is one
   * statement, and a batch needs no statement of its own for either.
   */
  async spendContext(
    workspaceId: string,
    teamId: number,
    userIds: string[],
    options: { periods?: PeriodStarts; keyId?: number } = {},
  ): Promise<SpendContext> {
    const { periods, keyId } = options;
    const users = userIds.length ? userIds : [""];
    const list = users.map(() => "?").join(", ");
    // A limit's counter: its subject ("" for a budget, the member for the others) in its period now.
    const counterOf = (subject: string) =>
      `LEFT JOIN limit_counters c ON c.limit_id = l.id AND ${subject}
         AND c.period_start = CASE l.period WHEN 'daily' THEN ? WHEN 'weekly' THEN ? WHEN 'monthly' THEN ? ELSE '' END`;
    const limitsWhere = (where: string, subject: string) =>
      periods
        ? `SELECT 'limit', NULL, NULL, NULL, NULL, ${LIMIT_COLUMNS}, ${COUNTER_COLUMNS} FROM limits l ${counterOf(subject)} WHERE ${where}`
        : `SELECT 'limit', NULL, NULL, NULL, NULL, ${LIMIT_COLUMNS}, ${NO_COUNTER} FROM limits l WHERE ${where}`;
    const starts = periods ? [periods.daily, periods.weekly, periods.monthly] : [];
    const rows: ContextRow[] = await this.manager.query(
      `WITH RECURSIVE up (id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM teams WHERE workspace_id = ? AND id = ?
         UNION ALL
         SELECT t.id, t.parent_id, up.depth + 1 FROM teams t JOIN up ON t.id = up.parent_id WHERE up.depth < 10000
       )
       SELECT 'team' AS kind, up.id AS team, up.depth AS depth, NULL AS user_id, NULL AS status, ${NO_LIMIT} FROM up
       UNION ALL
       SELECT 'member', NULL, NULL, m.user_id, m.status, ${NO_LIMIT}
         FROM memberships m WHERE m.team_id = ? AND m.user_id IN (${list})
       UNION ALL ${limitsWhere("l.scope = 'budget' AND l.team_id IN (SELECT id FROM up)", "c.subject_key = ''")}
       UNION ALL ${limitsWhere("l.team_id = ? AND l.scope = 'default' AND l.subject_key = ''", `c.subject_key IN (${list})`)}
       UNION ALL ${limitsWhere(`l.team_id = ? AND l.scope = 'member' AND l.subject_key IN (${list})`, "c.subject_key = l.subject_key")}
       UNION ALL SELECT 'version', v.version, NULL, NULL, NULL, ${NO_LIMIT} FROM spend_versions v WHERE v.workspace_id = ?
       ${keyId === undefined ? "" : `UNION ALL SELECT 'key', k.id, NULL, NULL, NULL, ${NO_LIMIT} FROM api_keys k WHERE k.id = ? AND k.team_id = ? AND k.revoked_at IS NULL`}`,
      [
        workspaceId,
        teamId,
        teamId,
        ...users,
        ...starts,
        ...(periods ? users : []),
        ...starts,
        teamId,
        ...starts,
        teamId,
        ...users,
        workspaceId,
        ...(keyId === undefined ? [] : [keyId, teamId]),
      ],
    );
    const chain: { id: number; depth: number }[] = [];
    const statuses = new Map<string, MembershipStatus>();
    const limits = new Map<number, LimitEntity>();
    const counters = new Map<string, { id: number; tokens: number }>();
    let keyLive = false;
    let version = 0;
    const count = (value: number | string | null) => (value === null ? null : Number(value));
    for (const row of rows) {
      if (row.kind === "team") chain.push({ id: Number(row.team), depth: Number(row.depth) });
      else if (row.kind === "member") statuses.set(String(row.user_id), row.status as MembershipStatus);
      else if (row.kind === "key") keyLive = true;
      else if (row.kind === "version") version = Number(row.team);
      else {
        const id = Number(row.id);
        // A default limit comes once per member who has a counter under it.
        if (!limits.has(id))
          limits.set(id, {
            id,
            workspaceId: String(row.workspace_id),
            teamId: Number(row.team_id),
            scope: row.scope as LimitScope,
            subjectKey: String(row.subject_key),
            transactionMax: count(row.transaction_max),
            totalMax: count(row.total_max),
            period: row.period as LimitPeriod,
            setBy: String(row.set_by),
            updatedAt: Number(row.updated_at),
          });
        if (row.counter_id !== null) {
          const key = {
            limitId: id,
            subjectKey: String(row.counter_subject),
            periodStart: String(row.counter_period),
          };
          counters.set(counterKey(key), { id: Number(row.counter_id), tokens: Number(row.counter_tokens) });
        }
      }
    }
    chain.sort((x, y) => x.depth - y.depth);
    return {
      chain: chain.map((t) => t.id),
      statuses,
      limits: [...limits.values()],
      counters,
      keyLive,
      version,
    };
  }

  /** The budgets set on any of these teams. */
  async budgets(teamIds: number[]): Promise<LimitEntity[]> {
    if (teamIds.length === 0) return [];
    return this.repo.find({ where: { teamId: In(teamIds), scope: "budget" } });
  }
}
