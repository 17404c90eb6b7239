import type { LimitPeriod, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { Forbidden, NotFound } from "../domain/errors";
import type { Permission } from "../domain/permissions";
import { periodStart, startOfLocalDay } from "../domain/periods";
import type { Repositories } from "../repositories";
import type { DigestLimitRow } from "../repositories/digest.repository";
import type { Actor } from "./actor";
import {
  assembleDigest,
  counterMap,
  type Digest,
  type DigestWaiting,
  IDLE_MS,
  memberCounterStart,
  type TeamFacts,
} from "./digest-data";
import { type DigestPeriod, digestWeekOf, digestWeekSoFar } from "./digest-period";
import type { Policy } from "./policy";

export type { Digest, DigestBudget, DigestChart, DigestLimitUse, DigestMember } from "./digest-data";
export { type DigestPeriod, digestWeekEndedBefore, digestWeekOf, digestWeekSoFar } from "./digest-period";

/** Teams read per batch: enough to keep statements few, few enough to keep rows and IN lists small. */
export const DIGEST_BATCH = 200;

/** Holding any of these makes a preview the admin's: with what waits for admins. */
const ADMIN_PERMISSIONS: Permission[] = ["members:manage", "joins:decide", "invites:manage"];

/** What the "Request more" form needs to know before it opens. */
export interface RequestTarget {
  team: TeamEntity;
  /** The limit the member spends under now (their own or the team's default), if it has a total. */
  current: { totalMax: number; period: LimitPeriod } | null;
}

/**
 * The weekly digest's content. `build` is set-based: for each batch of teams it runs a fixed
 * handful of GROUP BY statements (members, limits, counters, usage by user and day, resources,
 * recent users, pending requests and invitations) and assembles every digest in memory, so the
 * cost grows with the rows aggregated, not with the number of teams. Delivery (claims, posting,
 * retries) is not here: this only reads.
 */
export class DigestService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /**
   * Every digest for these teams of one workspace for `period`. Teams without a channel are left
   * out unless `includeWithoutChannel`; unknown IDs and other workspaces' teams are left out.
   * Digests come back shaped for the channel (audience "channel": everything).
   */
  async build(
    workspaceId: string,
    teamIds: number[],
    period: DigestPeriod,
    options: { includeWithoutChannel?: boolean } = {},
  ): Promise<Digest[]> {
    const unique = [...new Set(teamIds)];
    const digests: Digest[] = [];
    for (let i = 0; i < unique.length; i += DIGEST_BATCH) {
      const batch = unique.slice(i, i + DIGEST_BATCH);
      digests.push(
        ...(await this.db.read((repos) =>
          this.buildBatch(repos, workspaceId, batch, period, options.includeWithoutChannel ?? false),
        )),
      );
    }
    return digests;
  }

  /**
   * `/team digest <team>`: the digest of the week so far (or, with `week`, of the week starting on
   * that Monday, so a button on last week's digest shows last week), for anyone who can see the
   * team (team:view). Admins (members:manage, joins:decide or invites:manage) see what waits for
   * them; members see the rest.
   */
  async preview(actor: Actor, teamName: string, week?: string): Promise<Digest> {
    const now = this.clock.now();
    const period =
      week === undefined ? digestWeekSoFar(now, this.timeZone) : digestWeekOf(week, now, this.timeZone);
    const { team, admin } = await this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.policy.require(repos, actor, team, "team:view", `see ${team.name}'s digest`);
      const held = await this.policy.permissions(repos, actor, team);
      return { team, admin: ADMIN_PERMISSIONS.some((p) => held.has(p)) };
    });
    const [digest] = await this.build(team.workspaceId, [team.id], period, { includeWithoutChannel: true });
    if (!digest) throw new NotFound("That team no longer exists.");
    return admin ? { ...digest, audience: "admin" } : { ...digest, audience: "member", waiting: null };
  }

  /**
   * Who may send a team's digest on demand (`/team digest <team> post`): team:update, the same
   * people who choose the team's channel. Returns the team.
   */
  async requirePoster(actor: Actor, teamName: string): Promise<TeamEntity> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.policy.require(repos, actor, team, "team:update", `post ${team.name}'s digest`);
      return team;
    });
  }

  /**
   * The team behind a digest's "Request more" button, and the limit the presser spends under now.
   * Only active members may ask (ApprovalService.requestLimit says the same when the form is sent).
   */
  async requestTarget(actor: Actor, teamId: number): Promise<RequestTarget> {
    return this.db.read(async (repos) => {
      const team = await repos.teams.findById(actor.workspaceId, teamId);
      if (!team || !(await this.policy.canSee(repos, actor, team))) {
        throw new NotFound("That team no longer exists; /team list shows the teams you can see.");
      }
      const membership = await repos.memberships.find(team.id, actor.userId);
      if (membership?.status !== "active") {
        throw new Forbidden(`Only active members of ${team.name} can ask for a higher limit there.`);
      }
      const limit = await repos.limits.personal(team.id, actor.userId);
      const current = limit?.totalMax ? { totalMax: limit.totalMax, period: limit.period } : null;
      return { team, current };
    });
  }

  private async buildBatch(
    repos: Repositories,
    workspaceId: string,
    ids: number[],
    period: DigestPeriod,
    includeWithoutChannel: boolean,
  ): Promise<Digest[]> {
    const now = this.clock.now();
    const teams = (await repos.digests.teams(workspaceId, ids)).filter(
      (t) => includeWithoutChannel || t.channelId !== null,
    );
    if (teams.length === 0) return [];
    const teamIds = teams.map((t) => t.id);
    const members = await repos.digests.members(teamIds);
    const limits = await repos.digests.limits(teamIds);
    const counters = counterMap(await this.countersFor(repos, limits, period, now));
    // Bucket 0: the previous span; 1: between it and this week (a preview's rest of last week);
    // then one per local day, so days are exact in TIMEZONE across DST changes.
    const edges = [
      period.previousFrom,
      period.previousTo,
      ...period.days.map((day, i) => (i === 0 ? period.from : startOfLocalDay(day, this.timeZone))),
    ];
    const buckets = await repos.digests.buckets(teamIds, edges, period.to);
    const resources = await repos.digests.resources(teamIds, period.from, period.to);
    const recent = await repos.digests.recentUsers(teamIds, period.to - IDLE_MS, period.to);
    const subTeams = await this.subTeamTokens(repos, workspaceId, limits, period);
    const requests = await repos.digests.pendingRequests(teamIds);
    const invitations = await repos.digests.pendingInvitations(teamIds, now);

    const facts = new Map<number, TeamFacts>(
      teams.map((team) => [
        team.id,
        {
          team,
          members: [],
          limits: [],
          counters,
          buckets: new Map(),
          resources: [],
          recentUsers: new Set(),
          subTeamTokens: subTeams.get(team.id) ?? 0,
          waiting: { joinRequests: 0, limitRequests: 0, invitations: invitations.get(team.id) ?? 0 },
        },
      ]),
    );
    for (const m of members) facts.get(m.teamId)?.members.push(m);
    for (const l of limits) facts.get(l.teamId)?.limits.push(l);
    for (const r of resources)
      facts.get(r.teamId)?.resources.push({ resource: r.resource, tokens: r.tokens });
    for (const r of recent) facts.get(r.teamId)?.recentUsers.add(r.userId);
    for (const b of buckets) {
      const into = facts.get(b.teamId)?.buckets;
      if (!into) continue;
      let values = into.get(b.userId);
      if (!values) into.set(b.userId, (values = edges.map(() => 0)));
      values[b.bucket] += b.tokens;
    }
    for (const r of requests) {
      const waiting: DigestWaiting | undefined = facts.get(r.teamId)?.waiting;
      if (waiting && r.kind === "join") waiting.joinRequests += r.count;
      if (waiting && r.kind === "limit") waiting.limitRequests += r.count;
    }
    return teams.map((team) => assembleDigest(workspaceId, facts.get(team.id)!, period, this.timeZone, now));
  }

  /**
   * The running totals the digest reads: monthly and lifetime member limits (weekly and daily
   * ones are measured from the week's own usage), and every budget in its current period.
   */
  private async countersFor(
    repos: Repositories,
    limits: DigestLimitRow[],
    period: DigestPeriod,
    now: number,
  ) {
    const wanted = limits.filter(
      (l) => l.scope === "budget" || l.period === "monthly" || l.period === "none",
    );
    const starts = new Set<string>();
    for (const l of wanted) {
      if (l.scope === "budget") starts.add(periodStart(l.period, now, this.timeZone));
      else starts.add(l.period === "none" ? "" : memberCounterStart(l.period, period, this.timeZone));
    }
    return repos.digests.counters(
      wanted.map((l) => l.id),
      [...starts],
    );
  }

  /**
   * For each team with a budget: what its sub-teams (to any depth) spent in the period, since a
   * budget covers them and so does its pace. One query for all of them; none without budgets.
   */
  private async subTeamTokens(
    repos: Repositories,
    workspaceId: string,
    limits: DigestLimitRow[],
    period: DigestPeriod,
  ): Promise<Map<number, number>> {
    const budgeted = limits.filter((l) => l.scope === "budget").map((l) => l.teamId);
    if (budgeted.length === 0) return new Map();
    const children = new Map<number, number[]>();
    for (const { id, parentId } of await repos.digests.hierarchy(workspaceId)) {
      if (parentId !== null) children.set(parentId, [...(children.get(parentId) ?? []), id]);
    }
    const below = new Map<number, number[]>();
    for (const teamId of budgeted) {
      const found: number[] = [];
      const seen = new Set([teamId]);
      for (let queue = [teamId]; queue.length > 0;) {
        const next: number[] = [];
        for (const id of queue)
          for (const child of children.get(id) ?? [])
            if (!seen.has(child)) {
              seen.add(child);
              found.push(child);
              next.push(child);
            }
        queue = next;
      }
      below.set(teamId, found);
    }
    const all = [...new Set([...below.values()].flat())];
    const totals = await repos.digests.totals(all, period.from, period.to);
    return new Map(
      [...below].map(([teamId, ids]) => [teamId, ids.reduce((sum, id) => sum + (totals.get(id) ?? 0), 0)]),
    );
  }
}
