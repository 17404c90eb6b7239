import type { LimitEntity, LimitPeriod, LimitScope, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { Forbidden, InvalidInput } from "../domain/errors";
import { nextReset, PERIODS, periodBegan, periodStart } from "../domain/periods";
import { userId as validUserId } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";
import { type CounterKey, counterKey } from "../repositories/counter.repository";
import { type AppliedLimit, applicableLimits, headroom } from "./spend-rules";

export interface LimitChange {
  /** The member whose own limit this is; absent for the team's default or budget. */
  userId?: string;
  /** The team's combined budget rather than its default per member. */
  budget?: boolean;
  /** undefined keeps the current value; null removes it. */
  transactionMax?: number | null;
  totalMax?: number | null;
  period?: LimitPeriod;
}

export interface ExplainedLimit {
  limit: LimitEntity;
  team: TeamEntity;
  used: number;
  /** Tokens left under its total this period; null without a total. */
  remaining: number | null;
  /** When the period ends; null for a lifetime total. */
  resetsAt: number | null;
  /** This is the limit that binds: the lowest of those that apply. */
  binds: boolean;
}

export interface LimitExplanation {
  team: TeamEntity;
  userId: string;
  limits: ExplainedLimit[];
  /** Tokens left under the tightest total, and the largest single spend allowed now. */
  remaining: number | null;
  transactionMax: number | null;
}

const MAX_TOKENS = 1_000_000_000_000_000;

/** Token limits: set with limits:manage, explained to anyone they apply to. */
export class LimitService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /**
   * Sets (or with both totals null, removes) a member's limit, the team's default per member, or
   * the team's budget. A budget can't push its sub-teams' budgets past their parent's: the refusal
   * gives the numbers. A new limit, or one whose period changed, starts from what was already
   * spent this period (one sum over history, here rather than on every spend).
   */
  async set(
    actor: Actor,
    teamName: string,
    change: LimitChange,
  ): Promise<{ team: TeamEntity; limit: LimitEntity | null; before: LimitEntity | null }> {
    const scope: LimitScope = change.userId ? "member" : change.budget ? "budget" : "default";
    const subjectKey = change.userId ? validUserId(change.userId) : "";
    for (const [field, value] of [
      ["tx", change.transactionMax],
      ["total", change.totalMax],
    ] as const) {
      if (
        value !== undefined &&
        value !== null &&
        (!Number.isSafeInteger(value) || value < 1 || value > MAX_TOKENS)
      ) {
        throw new InvalidInput(
          `${field} is a whole number of tokens from 1 (or none to remove it), like ${field}=100000.`,
          field,
        );
      }
    }
    if (change.period !== undefined && !PERIODS.includes(change.period)) {
      throw new InvalidInput(`period is one of ${PERIODS.join(", ")}, like period=monthly.`, "period");
    }
    if (change.budget && change.userId)
      throw new InvalidInput("A budget belongs to the team; name a user or budget, not both.", "user");
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "limits:manage", `set limits in ${team.name}`);
      if (scope === "member" && !(await repos.memberships.find(team.id, subjectKey))) {
        throw new InvalidInput(`<@${subjectKey}> isn't a member of ${team.name}; add them first.`, "user");
      }
      const before = await repos.limits.find(team.id, scope, subjectKey);
      const values = {
        transactionMax:
          change.transactionMax === undefined ? (before?.transactionMax ?? null) : change.transactionMax,
        totalMax: change.totalMax === undefined ? (before?.totalMax ?? null) : change.totalMax,
        period: change.period ?? before?.period ?? "none",
        setBy: actor.userId,
        updatedAt: this.clock.now(),
      };
      if (values.transactionMax === null && values.totalMax === null) {
        // Removing a limit that doesn't exist changes nothing, so it leaves no audit event.
        if (!before) return { team, limit: null, before };
        await repos.limits.delete(before);
        await this.record(repos, actor, team, scope, subjectKey, before, null);
        return { team, limit: null, before };
      }
      if (scope === "budget") await this.checkBudgetFits(repos, team, values.totalMax, values.period);
      const limit = await repos.limits.put(team.workspaceId, team.id, scope, subjectKey, values);
      if (!before || before.period !== limit.period) await this.startCounters(repos, team, limit);
      await this.record(repos, actor, team, scope, subjectKey, before, limit);
      return { team, limit, before };
    });
  }

  /**
   * Every limit that applies to `userId` in the team (their own or the team's default, the team's
   * budget and each ancestor's), with what is used and left, which binds, who set it and when it
   * resets. Anyone may see their own; someone else's needs limits:manage or usage:view_all.
   */
  async explain(actor: Actor, teamName: string, userId = actor.userId): Promise<LimitExplanation> {
    const subject = validUserId(userId);
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      if (subject !== actor.userId) {
        const held = await this.policy.permissions(repos, actor, team);
        if (!held.has("limits:manage") && !held.has("usage:view_all")) {
          throw new Forbidden(
            `You need the usage:view_all permission in ${team.name} to see someone else's limits.`,
            "usage:view_all",
          );
        }
      }
      const chain = await repos.teams.chain(team.workspaceId, team.id);
      const now = this.clock.now();
      const applied = applicableLimits(
        await repos.limits.applicable(team.id, chain, [subject]),
        team.id,
        subject,
        now,
        this.timeZone,
      );
      const counters = await repos.counters.read(applied.flatMap((a) => (a.counter ? [a.counter] : [])));
      const spent = (key: CounterKey) => counters.get(counterKey(key))?.tokens ?? 0;
      const usedOf = (a: AppliedLimit) => (a.counter ? spent(a.counter) : 0);
      const { remaining, transactionMax, binding } = headroom(applied, spent, 0);
      const limits: ExplainedLimit[] = [];
      for (const a of applied) {
        const owner =
          a.limit.teamId === team.id ? team : await repos.teams.findById(team.workspaceId, a.limit.teamId);
        const used = usedOf(a);
        limits.push({
          limit: a.limit,
          team: owner ?? team,
          used,
          remaining: a.limit.totalMax === null ? null : Math.max(0, a.limit.totalMax - used),
          resetsAt: a.limit.totalMax === null ? null : nextReset(a.limit.period, now, this.timeZone),
          binds:
            binding?.id === a.limit.id ||
            (binding === undefined && a.limit.transactionMax === transactionMax),
        });
      }
      return { team, userId: subject, limits, remaining, transactionMax };
    });
  }

  /**
   * Raises a member's total limit to at least `total` (an approved limit request), inside the
   * approval's own transaction; keeps their transaction limit and period.
   */
  async raiseMemberTotal(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    userId: string,
    total: number,
  ): Promise<void> {
    const before = await repos.limits.findMember(team.id, userId);
    // Until now they spent under their own limit or, lacking one, the team's default: the raised
    // limit keeps that one's period and per-request cap, and never lowers what they had.
    const current = before ?? (await repos.limits.find(team.id, "default", ""));
    if (current?.totalMax !== null && current?.totalMax !== undefined && current.totalMax >= total) return;
    const limit = await repos.limits.setMemberTotal(
      team.workspaceId,
      team.id,
      userId,
      total,
      current?.period ?? "none",
      actor.userId,
      this.clock.now(),
      current?.transactionMax ?? null,
    );
    if (!before) await this.startCounters(repos, team, limit);
    await this.record(repos, actor, team, "member", userId, before, limit);
  }

  /** Refuses a budget that, with its siblings', would exceed the parent's, or that its children's exceed. */
  private async checkBudgetFits(
    repos: Repositories,
    team: TeamEntity,
    total: number | null,
    period: LimitPeriod,
  ): Promise<void> {
    if (total === null) return;
    const fmt = (n: number) => n.toLocaleString("en-US");
    const children = (await repos.teams.children(team.workspaceId, team.id)).map((c) => c.id);
    const childBudgets = (await repos.limits.budgets(children)).filter(
      (b) => b.period === period && b.totalMax !== null,
    );
    const childSum = childBudgets.reduce((sum, b) => sum + (b.totalMax ?? 0), 0);
    if (childSum > total) {
      throw new InvalidInput(
        `${team.name}'s sub-teams already have budgets adding up to ${fmt(childSum)} tokens (${period}), more than ${fmt(total)}; lower theirs first.`,
        "total",
      );
    }
    if (team.parentId === null) return;
    const parent = await repos.teams.findById(team.workspaceId, team.parentId);
    const [parentBudget] = await repos.limits.budgets([team.parentId]);
    if (!parent || !parentBudget || parentBudget.totalMax === null || parentBudget.period !== period) return;
    const siblings = (await repos.teams.children(team.workspaceId, parent.id))
      .map((c) => c.id)
      .filter((id) => id !== team.id);
    const siblingSum = (await repos.limits.budgets(siblings))
      .filter((b) => b.period === period)
      .reduce((sum, b) => sum + (b.totalMax ?? 0), 0);
    if (siblingSum + total > parentBudget.totalMax) {
      throw new InvalidInput(
        `${parent.name}'s budget is ${fmt(parentBudget.totalMax)} tokens (${period}) and its other sub-teams' budgets add up to ${fmt(siblingSum)}, so ${team.name}'s can be at most ${fmt(Math.max(0, parentBudget.totalMax - siblingSum))}, not ${fmt(total)}.`,
        "total",
      );
    }
  }

  /** Seeds a limit's counters for the current period from history (one sum, at set time). */
  private async startCounters(repos: Repositories, team: TeamEntity, limit: LimitEntity): Promise<void> {
    await repos.counters.deleteForLimit(limit.id);
    if (limit.totalMax === null) return;
    const now = this.clock.now();
    const since = periodBegan(limit.period, now, this.timeZone);
    const start = periodStart(limit.period, now, this.timeZone);
    if (limit.scope === "budget") {
      const teams = await repos.teams.subtree(team.workspaceId, team.id);
      await repos.counters.put(
        { limitId: limit.id, subjectKey: "", periodStart: start },
        await repos.usage.sum(teams, since),
      );
    } else if (limit.scope === "member") {
      await repos.counters.put(
        { limitId: limit.id, subjectKey: limit.subjectKey, periodStart: start },
        await repos.usage.sum([team.id], since, limit.subjectKey),
      );
    } else {
      for (const [userId, tokens] of await repos.usage.sumByUser(team.id, since)) {
        await repos.counters.put({ limitId: limit.id, subjectKey: userId, periodStart: start }, tokens);
      }
    }
  }

  private async record(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    scope: LimitScope,
    subjectKey: string,
    before: LimitEntity | null,
    after: LimitEntity | null,
  ): Promise<void> {
    const shape = (l: LimitEntity | null) =>
      l ? { transactionMax: l.transactionMax, totalMax: l.totalMax, period: l.period } : null;
    await this.audit.record(repos, actor, {
      teamId: team.id,
      action: after ? "limit.set" : "limit.removed",
      targetType: `${scope}_limit`,
      targetId: subjectKey || team.name,
      before: shape(before),
      after: shape(after),
    });
  }
}
