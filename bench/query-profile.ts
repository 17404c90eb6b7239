import { writeFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import type { DataSource, QueryRunner } from "typeorm";

export interface QueryStat {
  sql: string;
  count: number;
  totalMs: number;
}

/**
 * Times every statement TypeORM sends through this DataSource (transactions' BEGIN and COMMIT
 * included), grouped by the statement's shape: where an ingest batch spends its time in the
 * database, as opposed to in JavaScript. Costs a little itself, so the figures are measured
 * without it and only the `--profile` run turns it on.
 */
export class QueryProfile {
  private readonly stats = new Map<string, QueryStat>();
  private readonly wrapped = new WeakSet<QueryRunner>();
  private on = false;

  constructor(dataSource: DataSource) {
    const create = dataSource.createQueryRunner.bind(dataSource);
    dataSource.createQueryRunner = (mode) => {
      const runner = create(mode);
      // SQLite hands out one shared runner: wrap it once.
      if (!this.wrapped.has(runner)) {
        this.wrapped.add(runner);
        const query = runner.query.bind(runner) as QueryRunner["query"];
        runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
          const started = performance.now();
          try {
            return await query(sql, parameters, structured as true);
          } finally {
            if (this.on) this.add(sql, performance.now() - started);
          }
        }) as QueryRunner["query"];
      }
      return runner;
    };
  }

  start(): void {
    this.stats.clear();
    this.on = true;
  }

  stop(): QueryStat[] {
    this.on = false;
    return [...this.stats.values()].sort((a, b) => b.totalMs - a.totalMs);
  }

  private add(sql: string, ms: number): void {
    const shape = sql
      .replace(/\s+/g, " ")
      .replace(/(\(\s*\?(\s*,\s*\?)*\s*\))(\s*,\s*\(\s*\?(\s*,\s*\?)*\s*\))+/g, "$1, …")
      .replace(/\?(\s*,\s*\?)+/g, "?, …")
      .replace(/(\(\(`?c`?\.[^)]*\)\s*OR\s*)+/g, "(… OR ")
      .replace(/"/g, "")
      .replace(/\b\d+\b/g, "N")
      .slice(0, 110);
    const stat = this.stats.get(shape) ?? { sql: shape, count: 0, totalMs: 0 };
    stat.count++;
    stat.totalMs += ms;
    this.stats.set(shape, stat);
  }
}

export interface FunctionStat {
  fn: string;
  selfMs: number;
}

/** A V8 CPU profile of one phase, reduced to the functions that spent the most time themselves. */
export async function cpuProfile<T>(work: () => Promise<T>): Promise<{ result: T; top: FunctionStat[] }> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  let profile: Profiler.Profile;
  let result: T;
  try {
    result = await work();
  } finally {
    profile = (await session.post("Profiler.stop")).profile;
    session.disconnect();
  }
  // The whole profile, for Chrome DevTools or a flame graph, when asked for.
  if (process.env.BENCH_CPUPROFILE) writeFileSync(process.env.BENCH_CPUPROFILE, JSON.stringify(profile));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples?.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    const where = frame.url.replace(/^.*node_modules\//, "").replace(/^.*?\/(src|bench)\//, "$1/");
    const fn = `${frame.functionName || "(anonymous)"} ${where}${where ? `:${frame.lineNumber + 1}` : ""}`;
    self.set(fn, (self.get(fn) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms) }));
  return { result, top };
}
