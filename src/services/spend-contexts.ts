import type { PeriodStarts, SpendContext } from "../repositories/limit.repository";
import type { Planner } from "./spend-batch";

/** Teams whose contexts one process keeps; past this, the longest unused goes. */
const MAX_TEAMS = 1_000;
/** Running totals one process keeps per workspace before it starts afresh. */
const MAX_TOTALS = 200_000;

type Totals = SpendContext["counters"];

/**
 * The spend contexts (Planners) this process keeps between batches, one per team, for the periods
 * they were read in. A kept context is used only after its workspace's spend version is read again
 * and found unchanged (UsageService.record), so a change made anywhere (another process, a Slack
 * command) is seen by the next batch; its running totals are checked by the batch's own UPDATE.
 * Keeping them spares the hot path its widest read: the members, limits and totals of a batch's
 * users.
 *
 * The kept contexts of one workspace share one map of running totals, so a batch of one team that
 * moves an ancestor's budget leaves the right total for its sibling teams' next batches.
 */
export class SpendContexts {
  private readonly kept = new Map<number, { periods: string; planner: Planner; totals: Totals }>();
  private readonly totals = new Map<string, { version: number; totals: Totals }>();

  /** The team's kept context for these periods, if there is one. */
  get(workspaceId: string, teamId: number, periods: PeriodStarts): Planner | undefined {
    const entry = this.kept.get(teamId);
    if (!entry) return undefined;
    this.kept.delete(teamId);
    if (entry.periods !== periodsKey(periods) || this.totals.get(workspaceId)?.totals !== entry.totals)
      return undefined;
    // Most recently used last, so the first entry is the one to let go.
    this.kept.set(teamId, entry);
    return entry.planner;
  }

  /**
   * A context just read, its totals now the workspace's shared ones for its spend version (taking
   * in the fresher values it read).
   */
  share(workspaceId: string, context: SpendContext): SpendContext {
    let shared = this.totals.get(workspaceId);
    if (!shared || shared.version !== context.version || shared.totals.size >= MAX_TOTALS) {
      shared = { version: context.version, totals: new Map() };
      this.totals.set(workspaceId, shared);
    }
    for (const [key, total] of context.counters) shared.totals.set(key, total);
    return { ...context, counters: shared.totals };
  }

  keep(teamId: number, periods: PeriodStarts, planner: Planner): void {
    this.kept.delete(teamId);
    if (this.kept.size >= MAX_TEAMS) this.kept.delete(this.kept.keys().next().value as number);
    this.kept.set(teamId, { periods: periodsKey(periods), planner, totals: planner.totals });
  }

  /** Forgets the team's context unless it has since been replaced by another than `planner`. */
  drop(teamId: number, planner?: Planner): void {
    if (planner === undefined || this.kept.get(teamId)?.planner === planner) this.kept.delete(teamId);
  }
}

const periodsKey = (p: PeriodStarts) => `${p.daily}|${p.weekly}|${p.monthly}`;
