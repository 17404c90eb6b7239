import type { EntityManager } from "typeorm";
import type { LimitPeriod, LimitScope, MembershipStatus } from "../../entities";

/**
 * The reads behind the weekly digests, set-based: each method answers for a whole batch of teams
 * with one GROUP BY (never a query per team, never raw events), so building every team's digest
 * costs a handful of statements per batch. Plain SQL with `?` placeholders, which both drivers
 * take: TypeORM's named-parameter expansion of a few hundred IDs costs more than the query.
 */

export interface DigestTeamRow {
  id: number;
  name: string;
  channelId: string | null;
  parentId: number | null;
}

export interface DigestMemberRow {
  teamId: number;
  userId: string;
  status: MembershipStatus;
  joinedAt: number;
  owner: boolean;
}

export interface DigestLimitRow {
  id: number;
  teamId: number;
  scope: LimitScope;
  subjectKey: string;
  totalMax: number;
  period: LimitPeriod;
}

export interface DigestCounterRow {
  limitId: number;
  subjectKey: string;
  periodStart: string;
  tokens: number;
}

/**
 * Tokens a user spent in a team within one time bucket: bucket `i` is [edges[i], edges[i + 1]),
 * the last one [edges[last], to). The service passes edges [previousFrom, previousTo, from, then
 * the start of each later local day].
 */
export interface BucketRow {
  teamId: number;
  userId: string;
  bucket: number;
  tokens: number;
}

type Id = number | string;
type Amount = number | string | null;

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

export class DigestRepository {
  constructor(private readonly manager: EntityManager) {}

  async teams(workspaceId: string, teamIds: number[]): Promise<DigestTeamRow[]> {
    if (teamIds.length === 0) return [];
    const rows: { id: Id; name: string; channel_id: string | null; parent_id: Id | null }[] =
      await this.manager.query(
        `SELECT id, name, channel_id, parent_id FROM teams
          WHERE workspace_id = ? AND id IN (${placeholders(teamIds.length)})`,
        [workspaceId, ...teamIds],
      );
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      channelId: r.channel_id,
      parentId: r.parent_id === null ? null : Number(r.parent_id),
    }));
  }

  /** Every membership of the teams, active or not (roles don't matter to a digest). */
  async members(teamIds: number[]): Promise<DigestMemberRow[]> {
    if (teamIds.length === 0) return [];
    const rows: {
      team_id: Id;
      user_id: string;
      status: MembershipStatus;
      joined_at: Id;
      owner_marker: Id | null;
    }[] = await this.manager.query(
      `SELECT team_id, user_id, status, joined_at, owner_marker FROM memberships
          WHERE team_id IN (${placeholders(teamIds.length)})`,
      teamIds,
    );
    return rows.map((r) => ({
      teamId: Number(r.team_id),
      userId: r.user_id,
      status: r.status,
      joinedAt: Number(r.joined_at),
      owner: r.owner_marker !== null && Number(r.owner_marker) === 1,
    }));
  }

  /** The teams' limits that have a total (member, default and budget); per-request caps don't show. */
  async limits(teamIds: number[]): Promise<DigestLimitRow[]> {
    if (teamIds.length === 0) return [];
    const rows: {
      id: Id;
      team_id: Id;
      scope: LimitScope;
      subject_key: string;
      total_max: Id;
      period: LimitPeriod;
    }[] = await this.manager.query(
      `SELECT id, team_id, scope, subject_key, total_max, period FROM limits
        WHERE team_id IN (${placeholders(teamIds.length)}) AND total_max IS NOT NULL`,
      teamIds,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      teamId: Number(r.team_id),
      scope: r.scope,
      subjectKey: r.subject_key,
      totalMax: Number(r.total_max),
      period: r.period,
    }));
  }

  /** The running totals of these limits in any of these periods (the caller keeps the pairs it wants). */
  async counters(limitIds: number[], periodStarts: string[]): Promise<DigestCounterRow[]> {
    if (limitIds.length === 0 || periodStarts.length === 0) return [];
    const rows: { limit_id: Id; subject_key: string; period_start: string; tokens: Id }[] =
      await this.manager.query(
        `SELECT limit_id, subject_key, period_start, tokens FROM limit_counters
          WHERE limit_id IN (${placeholders(limitIds.length)})
            AND period_start IN (${placeholders(periodStarts.length)})`,
        [...limitIds, ...periodStarts],
      );
    return rows.map((r) => ({
      limitId: Number(r.limit_id),
      subjectKey: r.subject_key,
      periodStart: r.period_start,
      tokens: Number(r.tokens),
    }));
  }

  /**
   * Tokens per team, user and time bucket within [edges[0], to): one scan of the span the digest
   * compares (the previous week and this one), folded by the database into at most
   * members × buckets rows. The buckets are computed with CASE on edges the service worked out
   * in TIMEZONE, so local days are exact across DST changes without the database knowing zones.
   */
  async buckets(teamIds: number[], edges: number[], to: number): Promise<BucketRow[]> {
    if (teamIds.length === 0) return [];
    const cases = edges
      .slice(1)
      .map((_, i) => `WHEN occurred_at < ? THEN ${i}`)
      .join(" ");
    const rows: { team_id: Id; user_id: string; bucket: Id; tokens: Amount }[] = await this.manager.query(
      `SELECT team_id, user_id, CASE ${cases} ELSE ${edges.length - 1} END AS bucket, SUM(tokens) AS tokens
         FROM usage_events
        WHERE team_id IN (${placeholders(teamIds.length)}) AND occurred_at >= ? AND occurred_at < ?
        GROUP BY team_id, user_id, bucket`,
      [...edges.slice(1), ...teamIds, edges[0], to],
    );
    return rows.map((r) => ({
      teamId: Number(r.team_id),
      userId: r.user_id,
      bucket: Number(r.bucket),
      tokens: Number(r.tokens ?? 0),
    }));
  }

  /** Tokens per team and resource within [from, to). */
  async resources(
    teamIds: number[],
    from: number,
    to: number,
  ): Promise<{ teamId: number; resource: string; tokens: number }[]> {
    if (teamIds.length === 0) return [];
    const rows: { team_id: Id; resource: string; tokens: Amount }[] = await this.manager.query(
      `SELECT team_id, resource, SUM(tokens) AS tokens FROM usage_events
        WHERE team_id IN (${placeholders(teamIds.length)}) AND occurred_at >= ? AND occurred_at < ?
        GROUP BY team_id, resource`,
      [...teamIds, from, to],
    );
    return rows.map((r) => ({
      teamId: Number(r.team_id),
      resource: r.resource,
      tokens: Number(r.tokens ?? 0),
    }));
  }

  /**
   * Who used anything in each team within [since, before). Answered from the (team, user, time)
   * index alone: MySQL/MariaDB jump to each group's latest entry (a loose index scan) rather than
   * read events, which keeps "no usage for four weeks" cheap for every member at once.
   */
  async recentUsers(
    teamIds: number[],
    since: number,
    before: number,
  ): Promise<{ teamId: number; userId: string }[]> {
    if (teamIds.length === 0) return [];
    const rows: { team_id: Id; user_id: string }[] = await this.manager.query(
      `SELECT team_id, user_id, MAX(occurred_at) AS last FROM usage_events
        WHERE team_id IN (${placeholders(teamIds.length)}) AND occurred_at >= ? AND occurred_at < ?
        GROUP BY team_id, user_id`,
      [...teamIds, since, before],
    );
    return rows.map((r) => ({ teamId: Number(r.team_id), userId: r.user_id }));
  }

  /** Tokens per team within [from, to): sub-teams' spend, for the pace of a budget above them. */
  async totals(teamIds: number[], from: number, to: number): Promise<Map<number, number>> {
    if (teamIds.length === 0) return new Map();
    const rows: { team_id: Id; tokens: Amount }[] = await this.manager.query(
      `SELECT team_id, SUM(tokens) AS tokens FROM usage_events
        WHERE team_id IN (${placeholders(teamIds.length)}) AND occurred_at >= ? AND occurred_at < ?
        GROUP BY team_id`,
      [...teamIds, from, to],
    );
    return new Map(rows.map((r) => [Number(r.team_id), Number(r.tokens ?? 0)]));
  }

  /** Undecided join and limit requests per team and kind. */
  async pendingRequests(teamIds: number[]): Promise<{ teamId: number; kind: string; count: number }[]> {
    if (teamIds.length === 0) return [];
    const rows: { team_id: Id; kind: string; count: Id }[] = await this.manager.query(
      `SELECT team_id, kind, COUNT(*) AS count FROM approval_requests
        WHERE team_id IN (${placeholders(teamIds.length)}) AND status = 'pending'
        GROUP BY team_id, kind`,
      teamIds,
    );
    return rows.map((r) => ({ teamId: Number(r.team_id), kind: r.kind, count: Number(r.count) }));
  }

  /** Pending invitations per team that haven't expired by `now` (the expiry job may not have run yet). */
  async pendingInvitations(teamIds: number[], now: number): Promise<Map<number, number>> {
    if (teamIds.length === 0) return new Map();
    const rows: { team_id: Id; count: Id }[] = await this.manager.query(
      `SELECT team_id, COUNT(*) AS count FROM invitations
        WHERE team_id IN (${placeholders(teamIds.length)}) AND status = 'pending' AND expires_at > ?
        GROUP BY team_id`,
      [...teamIds, now],
    );
    return new Map(rows.map((r) => [Number(r.team_id), Number(r.count)]));
  }

  /** Every team of the workspace as (id, parent): to find the sub-teams under a budget. */
  async hierarchy(workspaceId: string): Promise<{ id: number; parentId: number | null }[]> {
    const rows: { id: Id; parent_id: Id | null }[] = await this.manager.query(
      "SELECT id, parent_id FROM teams WHERE workspace_id = ?",
      [workspaceId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      parentId: r.parent_id === null ? null : Number(r.parent_id),
    }));
  }
}
