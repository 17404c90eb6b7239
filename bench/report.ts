/** One row of `npm run bench`'s table: a figure, its baseline, the ratio and whether it meets its target. */
export interface BenchRow {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  /** Null for a figure that is reported, not held to a target. */
  met: boolean | null;
}

/** A count as the bench prints it: 12,345. */
export const fmt = (n: number) => n.toLocaleString("en-US");
