/**
 * `npm run bench [-- --quick] [--profile] [--path service|http] [--concurrency N] [--only ingest,ack,digest]`: the benchmarks of SPEC section 8.
 * Each figure is measured beside its own baseline in the same run and written to
 * bench/results.json. SQLite (a temp file) by default; MariaDB/MySQL when BENCH_MYSQL_URL is set,
 * in a database of its own (`roster_bench_<pid>`, created and dropped here), never the one the URL
 * names. `--quick` is a smaller run (under a minute) for checking that the bench works.
 * digest runs last, in a database and processes of its own (bench/digest.bench.ts).
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type AckResult, ackLines, ackRows, benchAck } from "./ack.bench";
import { openBenchDatabase } from "./bench-db";
import { benchDigest, digestLines, digestRows } from "./digest.bench";
import { benchIngest, type IngestResult } from "./ingest.bench";
import { ingestLines, ingestRows } from "./ingest-report";
import type { BenchRow } from "./report";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      path: { type: "string" },
      concurrency: { type: "string", default: "1" },
      only: { type: "string" },
    },
  });
  const figures = ["ingest", "ack", "digest"] as const;
  const only = values.only?.split(",");
  if (only?.some((f) => !(figures as readonly string[]).includes(f)))
    throw new Error("--only names figures from ingest, ack and digest, separated by commas.");
  const runs = (figure: (typeof figures)[number]) => !only || only.includes(figure);
  if (values.path !== undefined && values.path !== "service" && values.path !== "http") {
    throw new Error("--path is service or http.");
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new Error("--concurrency is a whole number from 1 to 64.");
  const quick = Boolean(values.quick);
  const bench = await openBenchDatabase(process.env.BENCH_MYSQL_URL || undefined);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Ctrl-C still drops the bench database.
  process.once("SIGINT", () => {
    void bench.drop().finally(() => process.exit(130));
  });
  log(`bench on ${bench.kind}${quick ? " (quick)" : ""}, ${os.cpus().length} CPUs, node ${process.version}`);
  let ingest: IngestResult | undefined;
  let ack: AckResult | undefined;
  try {
    if (runs("ingest")) {
      ingest = await benchIngest(bench, {
        quick,
        profile: Boolean(values.profile),
        path: values.path,
        concurrency,
        log,
      });
    }
    if (runs("ack")) ack = await benchAck(bench, { quick, profile: Boolean(values.profile), log });
  } finally {
    await bench.drop();
  }
  const digest = runs("digest") ? await benchDigest({ quick, log }) : undefined;

  const results = {
    database: bench.kind,
    quick,
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    ack,
    ingest,
    digest,
  };
  writeFileSync(path.join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);

  const rows: BenchRow[] = [
    ...(ingest ? ingestRows(ingest, bench.kind === "mysql") : []),
    ...(ack ? ackRows(ack) : []),
    ...(digest ? digestRows(digest) : []),
  ];
  process.stdout.write(`\n${table(rows)}\n`);
  // Speed is reported; a broken limit is a failure.
  if (ingest && (ingest.overspend !== 0 || ingest.transaction_violations !== 0 || !ingest.counters_match))
    process.exitCode = 1;
  process.stdout.write(
    [
      ...(ingest ? ingestLines(ingest, values.path === "service") : []),
      ...(ack ? ackLines(ack) : []),
      ...(digest ? digestLines(digest) : []),
      `results: ${path.relative(process.cwd(), path.join(__dirname, "results.json"))}`,
      "",
    ].join("\n"),
  );
}

function table(rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.measured,
    r.baseline,
    r.ratio,
    r.target,
    r.met === null ? "" : r.met ? "yes" : "NO",
  ]);
  const header = ["figure", "measured", "baseline", "ratio", "target", "met"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
