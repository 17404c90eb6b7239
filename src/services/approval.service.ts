import type { ApprovalKind, ApprovalMessageEntity, ApprovalRequestEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../domain/errors";
import type { Permission } from "../domain/permissions";
import type { Repositories } from "../repositories";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { LimitService } from "./limit.service";
import type { Policy } from "./policy";
import { SYSTEM_ACTOR } from "./system-actor";

export interface RequestView extends ApprovalRequestEntity {
  team: TeamEntity;
}

export interface Decision {
  /** `decided` for the one press that decided it; `already_decided` for every later one. */
  outcome: "decided" | "already_decided";
  request: RequestView;
  /** The Slack messages carrying this request's buttons, to update in place. */
  cards: ApprovalMessageEntity[];
}

export interface Escalation {
  request: RequestView;
  /** The parent team's deciders, or `org_admins` when the team has no parent. */
  to: { parent: TeamEntity; userIds: string[] } | "org_admins";
}

const MAX_TOKENS = 1_000_000_000_000_000;
const PERIOD_NOUN = { daily: "day", weekly: "week", monthly: "month" } as const;

/** Who may decide each kind of request. */
export const DECIDES: Record<ApprovalKind, Permission> = { join: "joins:decide", limit: "limits:manage" };

/**
 * Requests that an admin approves or denies with a button: joining an `approval` team, and a
 * higher token limit. One machinery for both: asked once per person and team while pending,
 * decided once (a conditional UPDATE), cards updated, escalated once when left undecided.
 */
export class ApprovalService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly limits: LimitService,
  ) {}

  /**
   * Asks to join a team whose policy is `approval`. Asking again while a request is pending
   * returns that request (`created: false`) rather than a second one.
   */
  async requestJoin(actor: Actor, teamName: string): Promise<{ request: RequestView; created: boolean }> {
    return this.ask(actor, teamName, "join", {}, async (repos, team) => {
      if (team.joinPolicy !== "approval") {
        throw new InvalidInput(`${team.name} doesn't take join requests; try /team join ${team.name}.`);
      }
      if (await repos.memberships.find(team.id, actor.userId))
        throw new Conflict(`You're already in ${team.name}.`);
    });
  }

  /** Asks for a higher total token limit in a team the actor is an active member of. */
  async requestLimit(
    actor: Actor,
    teamName: string,
    total: number,
    reason = "",
  ): Promise<{ request: RequestView; created: boolean }> {
    if (!Number.isSafeInteger(total) || total < 1 || total > MAX_TOKENS) {
      throw new InvalidInput("total is a whole number of tokens from 1, like total=500000.", "total");
    }
    const why = reason.trim();
    if (why.length > 500) throw new InvalidInput("A reason can be at most 500 characters.", "reason");
    return this.ask(actor, teamName, "limit", { total, reason: why }, async (repos, team) => {
      const membership = await repos.memberships.find(team.id, actor.userId);
      if (membership?.status !== "active") {
        throw new Forbidden(`Only active members of ${team.name} can ask for a higher limit there.`);
      }
      // Measured against the limit they spend under now: their own, or the team's default.
      const current = await repos.limits.personal(team.id, actor.userId);
      if (current?.totalMax !== null && current?.totalMax !== undefined && current.totalMax >= total) {
        const per = current.period === "none" ? "in all" : `a ${PERIOD_NOUN[current.period]}`;
        throw new InvalidInput(
          `Your total limit in ${team.name} is already ${current.totalMax.toLocaleString("en-US")} tokens ${per}; ask for more than that.`,
          "total",
        );
      }
      const shown: Record<string, string | number> = { period: current?.period ?? "none" };
      if (current?.totalMax) shown.current = current.totalMax;
      return shown;
    });
  }

  /**
   * Approves or denies (joins:decide for a join, limits:manage for a limit). The first decision
   * wins in the database; later presses get `already_decided` and change nothing. Approval makes
   * the requester a member, or raises their total limit.
   */
  async decide(actor: Actor, requestId: number, approve: boolean): Promise<Decision> {
    return this.db.transaction(async (repos) => {
      const request = await repos.approvals.findById(actor.workspaceId, requestId);
      if (!request) throw new NotFound("That request no longer exists.");
      const team = await repos.teams.lockById(actor.workspaceId, request.teamId);
      if (!team) throw new NotFound("The team of that request no longer exists.");
      const what = request.kind === "join" ? "join requests" : "limit requests";
      const doing = `decide ${what} for ${team.name}`;
      if (!(await this.mayDecide(repos, actor, team, request)))
        await this.policy.require(repos, actor, team, DECIDES[request.kind], doing);
      if (request.requesterUserId === actor.userId)
        throw new Forbidden("You can't decide your own request; another admin has to.");
      const cards = await repos.approvals.messages(request.id);
      const now = this.clock.now();
      const status = approve ? "approved" : "denied";
      if (!(await repos.approvals.decide(request.id, status, actor.userId, now))) {
        const current = (await repos.approvals.findById(actor.workspaceId, request.id)) ?? request;
        return { outcome: "already_decided", request: { ...current, team }, cards };
      }
      if (approve) await this.carryOut(repos, actor, team, request);
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: `request.${status}`,
        targetType: `${request.kind}_request`,
        targetId: request.requesterUserId,
        before: { status: "pending" },
        after: { status, ...request.details },
      });
      return {
        outcome: "decided",
        request: { ...request, status, decidedBy: actor.userId, decidedAt: now, team },
        cards,
      };
    });
  }

  /** Records a message that carries a request's buttons. */
  async recordCard(
    workspaceId: string,
    requestId: number,
    channelId: string,
    messageTs: string,
  ): Promise<void> {
    await this.db.transaction(async (repos) => {
      if (await repos.approvals.findById(workspaceId, requestId))
        await repos.approvals.addMessage(requestId, channelId, messageTs);
    });
  }

  /** The active members who may decide this kind of request in the team (its admins and owner). */
  async deciders(workspaceId: string, teamId: number, kind: ApprovalKind): Promise<string[]> {
    return this.db.read((repos) => this.decidersOf(repos, teamId, kind));
  }

  /** Pending requests the actor may decide, in every team (for the App Home). */
  async waitingFor(actor: Actor): Promise<RequestView[]> {
    return this.db.read(async (repos) => {
      const waiting: RequestView[] = [];
      for (const request of await repos.approvals.pendingInWorkspace(actor.workspaceId)) {
        const team = await repos.teams.findById(actor.workspaceId, request.teamId);
        if (!team || request.requesterUserId === actor.userId) continue;
        if (await this.mayDecide(repos, actor, team, request)) waiting.push({ ...request, team });
      }
      return waiting;
    });
  }

  /** The actor's own pending requests. */
  async mine(actor: Actor): Promise<RequestView[]> {
    return this.db.read(async (repos) => {
      const mine = (await repos.approvals.pendingInWorkspace(actor.workspaceId)).filter(
        (r) => r.requesterUserId === actor.userId,
      );
      const views: RequestView[] = [];
      for (const request of mine) {
        const team = await repos.teams.findById(actor.workspaceId, request.teamId);
        if (team) views.push({ ...request, team });
      }
      return views;
    });
  }

  /**
   * Requests left undecided for `ttlMs`, each marked escalated exactly once (across processes)
   * and returned with whom to tell: the parent team's deciders, or the org admins (the job).
   */
  async escalateDue(ttlMs: number): Promise<Escalation[]> {
    const now = this.clock.now();
    return this.db.transaction(async (repos) => {
      const escalations: Escalation[] = [];
      for (const request of await repos.approvals.dueForEscalation(now - ttlMs, 100)) {
        if (!(await repos.approvals.markEscalated(request.id, now))) continue;
        const team = await repos.teams.findById(request.workspaceId, request.teamId);
        if (!team) continue;
        const parent = team.parentId ? await repos.teams.findById(team.workspaceId, team.parentId) : null;
        const to = parent
          ? { parent, userIds: await this.decidersOf(repos, parent.id, request.kind) }
          : ("org_admins" as const);
        await this.audit.record(
          repos,
          { workspaceId: team.workspaceId, userId: SYSTEM_ACTOR },
          {
            teamId: team.id,
            action: "request.escalated",
            targetType: `${request.kind}_request`,
            targetId: request.requesterUserId,
            after: { to: parent ? `admins of ${parent.name}` : "org admins" },
          },
        );
        escalations.push({ request: { ...request, escalatedAt: now, team }, to });
      }
      return escalations;
    });
  }

  /**
   * Hands an escalation back when its cards reached nobody because Slack failed, so the next run
   * of the job escalates it again instead of the request waiting unseen.
   */
  async releaseEscalation(request: Pick<ApprovalRequestEntity, "id" | "escalatedAt">): Promise<void> {
    if (request.escalatedAt === null) return;
    const escalatedAt = request.escalatedAt;
    await this.db.transaction((repos) => repos.approvals.unmarkEscalated(request.id, escalatedAt));
  }

  private async ask(
    actor: Actor,
    teamName: string,
    kind: ApprovalKind,
    details: Record<string, string | number>,
    /** Refuses what can't be asked; may add to the details what the deciders should see. */
    check: (repos: Repositories, team: TeamEntity) => Promise<Record<string, string | number> | void>,
  ): Promise<{ request: RequestView; created: boolean }> {
    try {
      return await this.db.transaction(async (repos) => {
        const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
        Object.assign(details, await check(repos, team));
        const pending = await repos.approvals.findPending(team.id, kind, actor.userId);
        if (pending) return { request: { ...pending, team }, created: false };
        const request = await repos.approvals.insert({
          workspaceId: team.workspaceId,
          teamId: team.id,
          kind,
          requesterUserId: actor.userId,
          pendingKey: actor.userId,
          status: "pending",
          details,
          decidedBy: null,
          decidedAt: null,
          escalatedAt: null,
          createdAt: this.clock.now(),
        });
        await this.audit.record(repos, actor, {
          teamId: team.id,
          action: "request.created",
          targetType: `${kind}_request`,
          targetId: actor.userId,
          after: { kind, ...details },
        });
        return { request: { ...request, team }, created: true };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict("You already have a request waiting there.");
      throw error;
    }
  }

  private async carryOut(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    request: ApprovalRequestEntity,
  ): Promise<void> {
    const now = this.clock.now();
    if (request.kind === "join") {
      if (await repos.memberships.find(team.id, request.requesterUserId)) return;
      const member = await repos.roles.findBuiltIn("member");
      await repos.memberships.insert({
        workspaceId: team.workspaceId,
        teamId: team.id,
        userId: request.requesterUserId,
        roleId: member.id,
        ownerMarker: null,
        status: "active",
        joinedAt: now,
        updatedAt: now,
      });
      return;
    }
    await this.limits.raiseMemberTotal(
      repos,
      actor,
      team,
      request.requesterUserId,
      Number(request.details.total),
    );
  }

  /**
   * Whether `actor` may decide the request: DECIDES[kind] in its team or, once it was escalated to
   * the parent team's deciders (who got its card), in the parent team.
   */
  private async mayDecide(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    request: ApprovalRequestEntity,
  ): Promise<boolean> {
    const permission = DECIDES[request.kind];
    if ((await this.policy.permissions(repos, actor, team)).has(permission)) return true;
    if (request.escalatedAt === null || team.parentId === null) return false;
    const parent = await repos.teams.findById(team.workspaceId, team.parentId);
    return parent !== null && (await this.policy.permissions(repos, actor, parent)).has(permission);
  }

  private async decidersOf(repos: Repositories, teamId: number, kind: ApprovalKind): Promise<string[]> {
    const grants = new Set((await repos.grants.list(teamId)).map((g) => g.permission));
    const members = await repos.memberships.list(teamId, { status: "active" });
    return members
      .filter((m) => grants.has(DECIDES[kind]) || m.role.permissions.includes(DECIDES[kind]))
      .map((m) => m.userId);
  }
}
