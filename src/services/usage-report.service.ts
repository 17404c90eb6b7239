import type { TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { Forbidden, InvalidInput } from "../domain/errors";
import { localDay, startOfLocalDay } from "../domain/periods";
import { describe, userId as validUserId } from "../domain/validation";
import { QUARTER_MS } from "../repositories/usage.repository";
import type { Actor } from "./actor";
import type { Policy } from "./policy";

export interface UsageReport {
  from: string;
  to: string;
  by: "user" | "resource" | "day";
  total: number;
  rows: { key: string; tokens: number; events: number }[];
}

/** What `/team usage` asks for: dates are local days (YYYY-MM-DD) in TIMEZONE, inclusive. */
export interface UsageQuery {
  /** Whose usage; absent for the whole team (or, without usage:view_all, the asker's own). */
  userId?: string;
  from?: string;
  to?: string;
  by?: UsageReport["by"];
}

/** A report as a person may see it: the team, and the one user it covers (null for everyone). */
export interface UsageView extends UsageReport {
  team: TeamEntity;
  userId: string | null;
}

const GROUPINGS: UsageReport["by"][] = ["user", "resource", "day"];
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const DAY = 86_400_000;

/**
 * Usage reports: totals by user, resource or local day, for the HTTP API (by team key) and for
 * `/team usage` (by person, with the usage:view_all rule). Reading history is fine here: it is
 * not the path every spend takes.
 */
export class UsageReportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly timeZone: string,
    private readonly policy: Policy,
  ) {}

  /**
   * Totals for [from, to] (local days in TIMEZONE, inclusive; real dates, at most 366 days; by
   * default the last 30 days up to today) by user, resource or day, for the team and its
   * sub-teams, optionally of one user.
   */
  async report(
    workspaceId: string,
    teamId: number,
    query: { from?: string; to?: string; by: UsageReport["by"]; userId?: string },
  ): Promise<UsageReport> {
    const days = this.range(query.from, query.to);
    const from = startOfLocalDay(days.from, this.timeZone);
    // The next local day's start, not +24h: a day with a DST change has 23 or 25 hours.
    const to = startOfLocalDay(addDays(days.to, 1), this.timeZone);
    return this.db.read(async (repos) => {
      const teamIds = await repos.teams.subtree(workspaceId, teamId);
      const grouped = await repos.usage.grouped(
        teamIds,
        from,
        to,
        query.by === "day" ? "quarter" : query.by,
        query.userId,
      );
      const rows = query.by === "day" ? this.foldQuartersIntoDays(grouped) : grouped;
      rows.sort((a, b) =>
        query.by === "day" ? a.key.localeCompare(b.key) : b.tokens - a.tokens || a.key.localeCompare(b.key),
      );
      return {
        from: days.from,
        to: days.to,
        by: query.by,
        total: rows.reduce((sum, r) => sum + r.tokens, 0),
        rows,
      };
    });
  }

  /**
   * `report` for a person. Anyone who can see the team sees their own usage in it (grouped as they
   * ask); the whole team's, or another user's, needs usage:view_all. Without it and without naming
   * anyone, the report narrows to the asker's own. Dates default to the last 30 days up to today
   * in TIMEZONE; a report spans at most 366 days.
   */
  async reportFor(actor: Actor, teamName: string, query: UsageQuery = {}): Promise<UsageView> {
    const by = query.by ?? "user";
    if (!GROUPINGS.includes(by))
      throw new InvalidInput(`by is one of ${GROUPINGS.join(", ")}, like by=resource.`, "by");
    const named = query.userId === undefined ? undefined : validUserId(query.userId);
    const { team, userId } = await this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      if ((await this.policy.permissions(repos, actor, team)).has("usage:view_all"))
        return { team, userId: named ?? null };
      if (named !== undefined && named !== actor.userId) {
        throw new Forbidden(
          `You need the usage:view_all permission in ${team.name} to see someone else's usage; /team usage ${team.name} shows your own.`,
          "usage:view_all",
        );
      }
      return { team, userId: actor.userId };
    });
    const report = await this.report(team.workspaceId, team.id, {
      from: query.from,
      to: query.to,
      by,
      userId: userId ?? undefined,
    });
    return { ...report, team, userId };
  }

  /** The report's days: real dates, from ≤ to, at most MAX_DAYS; missing ends default around today. */
  private range(fromText?: string, toText?: string): { from: string; to: string } {
    const today = localDay(this.clock.now(), this.timeZone);
    const to = toText === undefined ? today : calendarDay(toText, "to");
    const from = fromText === undefined ? addDays(to, 1 - DEFAULT_DAYS) : calendarDay(fromText, "from");
    if (from > to) {
      const end = toText === undefined ? `today, ${to}` : `to=${to}`;
      throw new InvalidInput(`from=${from} is after ${end}; give a from on or before to.`, "from");
    }
    const days = (Date.parse(to) - Date.parse(from)) / DAY + 1;
    if (days > MAX_DAYS) {
      throw new InvalidInput(
        `A report covers at most ${MAX_DAYS} days, and ${from} to ${to} is ${days}; narrow from= or to=.`,
        "from",
      );
    }
    return { from, to };
  }

  private foldQuartersIntoDays(rows: { key: string; tokens: number; events: number }[]) {
    const days = new Map<string, { key: string; tokens: number; events: number }>();
    for (const row of rows) {
      const day = localDay(Number(row.key) * QUARTER_MS, this.timeZone);
      const into = days.get(day) ?? { key: day, tokens: 0, events: 0 };
      into.tokens += row.tokens;
      into.events += row.events;
      days.set(day, into);
    }
    return [...days.values()];
  }
}

function calendarDay(text: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!day || day.getUTCFullYear() < 1970 || day.toISOString().slice(0, 10) !== text) {
    throw new InvalidInput(
      `${field} is a date written YYYY-MM-DD, like ${field}=2026-01-31, not ${describe(text)}.`,
      field,
    );
  }
  return text;
}

/** Calendar arithmetic on `YYYY-MM-DD`; the day after 9999-12-31 is 10000-01-01, not an ISO "+010000". */
function addDays(day: string, days: number): string {
  const date = new Date(Date.parse(day) + days * DAY);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}
