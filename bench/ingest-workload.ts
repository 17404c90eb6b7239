/**
 * The ingest workload: a deterministic stream of usage events for two sibling teams under one
 * parent, and limits sized from it so every kind binds near the end of the run, not at once.
 */

import { seededRandom } from "./seeded-random";

export const BATCH = 500;
export const MAX_EVENT_TOKENS = 2000;

export type BenchTeam = "platform" | "research";

export interface BenchEvent {
  transactionId: string;
  userId: string;
  tokens: number;
  resource: string;
}

export interface BenchBatch {
  team: BenchTeam;
  events: BenchEvent[];
}

export interface Workload {
  batches: BenchBatch[];
  events: number;
  users: Record<BenchTeam, string[]>;
  /** The Platform member with a limit of their own (it replaces the team default for them). */
  heavy: string;
  limits: {
    /** Org: the ancestor's budget, over both teams. */
    orgBudget: number;
    /** Platform: the team's budget. */
    platformBudget: number;
    /** Platform: the default per member. */
    defaultTotal: number;
    defaultTransaction: number;
    /** Platform: the heavy user's own total. */
    heavyTotal: number;
  };
}

const RESOURCES = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "llama-70b", "embed-3"];

const userIds = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `U${prefix}${String(i).padStart(6, "0")}`);

/** `events` events in batches of 500: 7 of every 10 batches to Platform, the rest to Research. */
export function buildWorkload(events: number, platformUsers: number, researchUsers: number): Workload {
  const next = seededRandom(20260105);
  const users = { platform: userIds("PLAT", platformUsers), research: userIds("RSRCH", researchUsers) };
  const heavy = users.platform[0];
  const batches: BenchBatch[] = [];
  let sent = 0;
  for (let b = 0; sent < events; b++) {
    const team: BenchTeam = b % 10 < 7 ? "platform" : "research";
    const size = Math.min(BATCH, events - sent);
    const batch: BenchEvent[] = [];
    for (let i = 0; i < size; i++) {
      const pool = users[team];
      batch.push({
        transactionId: `ev-${sent + i}`,
        userId: pool[Math.floor(next() * pool.length)],
        tokens: 1 + Math.floor(next() * MAX_EVENT_TOKENS),
        resource: RESOURCES[Math.floor(next() * RESOURCES.length)],
      });
    }
    batches.push({ team, events: batch });
    sent += size;
  }

  const sum = (list: BenchEvent[]) => list.reduce((s, e) => s + e.tokens, 0);
  const of = (team: BenchTeam) => batches.filter((b) => b.team === team).flatMap((b) => b.events);
  const platform = of("platform");
  const research = of("research");
  const perUser = new Map<string, number>();
  for (const e of platform)
    if (e.userId !== heavy) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + e.tokens);
  const totals = [...perUser.values()].sort((a, b) => a - b);
  // The members who spend most (the top tenth) reach the default in the last part of their spends.
  const defaultTotal = totals[Math.floor(totals.length * 0.9)] ?? 0;
  const heavyTotal = Math.floor(0.9 * sum(platform.filter((e) => e.userId === heavy)));
  // What Platform would spend under its members' limits; its budget cuts in just before that.
  const underMemberLimits = totals.reduce((s, t) => s + Math.min(t, defaultTotal), 0) + heavyTotal;
  const platformBudget = Math.floor(0.985 * underMemberLimits);
  return {
    batches,
    events,
    users,
    heavy,
    limits: {
      // Research has no budget of its own, so the parent's budget is what stops it.
      orgBudget: platformBudget + Math.floor(0.95 * sum(research)),
      platformBudget,
      defaultTotal,
      // A few spends in every batch are larger than one request may be.
      defaultTransaction: MAX_EVENT_TOKENS - 10,
      heavyTotal,
    },
  };
}
