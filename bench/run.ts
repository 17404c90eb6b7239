/**
 * `npm run bench [-- --quick] [--profile] [--path service|http] [--concurrency N]`: the benchmarks of SPEC section 8.
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
import { type BenchRow, fmt } from "./report";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      path: { type: "string" },
      concurrency: { type: "string", default: "1" },
    },
  });
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
  let ingest: IngestResult;
  let ack: AckResult;
  try {
    ingest = await benchIngest(bench, {
      quick,
      profile: Boolean(values.profile),
      path: values.path,
      concurrency,
      log,
    });
    ack = await benchAck(bench, { quick, profile: Boolean(values.profile), log });
  } finally {
    await bench.drop();
  }
  const digest = await benchDigest({ quick, log });

  const results = {
    database: bench.kind,
    quick,
    machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    ack,
    ingest,
    digest,
  };
  writeFileSync(path.join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);

  const onMariaDb = bench.kind === "mysql";
  const rows: BenchRow[] = [
    {
      figure: `ingest (${ingest.path})`,
      measured: `${fmt(ingest.events_per_s)} events/s`,
      baseline: `${fmt(ingest.baseline_events_per_s)} rows/s`,
      ratio: `${ingest.ratio.toFixed(2)}×`,
      target: "≥ 0.5× baseline",
      met: ingest.ratio >= 0.5,
    },
    {
      figure: "ingest overspend",
      measured: `${fmt(ingest.overspend)} tokens, ${ingest.transaction_violations} over tx`,
      baseline: "—",
      ratio: "—",
      target: "exactly 0",
      met: ingest.overspend === 0 && ingest.transaction_violations === 0 && ingest.counters_match,
    },
    {
      figure: `check p99 (${ingest.path})`,
      measured: `${ingest.check_p99_ms} ms (p50 ${ingest.check_p50_ms})`,
      baseline: "—",
      ratio: "—",
      target: onMariaDb ? "< 5 ms" : "< 5 ms (on MariaDB)",
      met: ingest.check_p99_ms < 5,
    },
    ...ackRows(ack),
    ...digestRows(digest),
  ];
  process.stdout.write(`\n${table(rows)}\n`);
  // Speed is reported; a broken limit is a failure.
  if (ingest.overspend !== 0 || ingest.transaction_violations !== 0 || !ingest.counters_match)
    process.exitCode = 1;
  const rejected = Object.entries(ingest.rejected)
    .map(([reason, n]) => `${reason} ${fmt(n)}`)
    .join(", ");
  process.stdout.write(
    [
      `ingest: ${fmt(ingest.events)} events in batches of ${ingest.batch_size} on ${fmt(ingest.history_events)} past events, ${ingest.concurrency === 1 ? "one batch at a time" : `${ingest.concurrency} batches at a time`}: ${ingest.seconds} s (baseline ${ingest.baseline_seconds} s)`,
      `  accepted ${fmt(ingest.accepted)}, duplicate ${fmt(ingest.duplicate)}, rejected ${rejected || "none"}; first total/budget refusal at ${ingest.first_total_rejection_at === null ? "—" : `${Math.round(ingest.first_total_rejection_at * 100)}%`} of the run`,
      ...ingest.limits.map(
        (l) => `  ${l.limit}: ${fmt(l.used)} of ${fmt(l.max)}${l.over ? `, OVER by ${fmt(l.over)}` : ""}`,
      ),
      `  counters equal the recorded rows: ${ingest.counters_match ? "yes" : "NO"}`,
      ...(ingest.path === "service"
        ? [
            `  (${values.path === "service" ? "--path service" : "POST /api/v1/usage is not served yet"}: measured services.usage.record, which the API calls)`,
          ]
        : []),
      ...(ingest.check_service_p99_ms !== undefined
        ? [
            `  check on the service alone (no HTTP, no key lookup): p99 ${ingest.check_service_p99_ms} ms, p50 ${ingest.check_service_p50_ms} ms`,
          ]
        : []),
      ...(ingest.profile
        ? [
            "",
            `where the ingest run's ${ingest.seconds} s went (--profile): ${(ingest.profile.reduce((s, q) => s + q.totalMs, 0) / 1000).toFixed(2)} s in ${fmt(ingest.profile.reduce((s, q) => s + q.count, 0))} statements, the rest in JavaScript`,
            ...ingest.profile.map(
              (q) => `  ${q.totalMs.toFixed(0).padStart(7)} ms ${String(q.count).padStart(6)}×  ${q.sql}`,
            ),
          ]
        : []),
      ...(ingest.cpu_profile
        ? [
            "",
            "the JavaScript that took the most time itself (--profile):",
            ...ingest.cpu_profile.map((f) => `  ${String(f.selfMs).padStart(7)} ms  ${f.fn}`),
          ]
        : []),
      ...ackLines(ack),
      ...digestLines(digest),
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
