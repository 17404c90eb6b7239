import type { IngestResult } from "./ingest.bench";
import { type BenchRow, fmt } from "./report";

/** The figure's rows in `npm run bench`'s table. */
export function ingestRows(ingest: IngestResult, onMariaDb: boolean): BenchRow[] {
  return [
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
  ];
}

/** The figure's lines under the table; `serviceAsked`: the run was told `--path service`. */
export function ingestLines(ingest: IngestResult, serviceAsked: boolean): string[] {
  const rejected = Object.entries(ingest.rejected)
    .map(([reason, n]) => `${reason} ${fmt(n)}`)
    .join(", ");
  return [
    `ingest: ${fmt(ingest.events)} events in batches of ${ingest.batch_size} on ${fmt(ingest.history_events)} past events, ${ingest.concurrency === 1 ? "one batch at a time" : `${ingest.concurrency} batches at a time`}: ${ingest.seconds} s (baseline ${ingest.baseline_seconds} s)`,
    `  accepted ${fmt(ingest.accepted)}, duplicate ${fmt(ingest.duplicate)}, rejected ${rejected || "none"}; first total/budget refusal at ${ingest.first_total_rejection_at === null ? "—" : `${Math.round(ingest.first_total_rejection_at * 100)}%`} of the run`,
    ...ingest.limits.map(
      (l) => `  ${l.limit}: ${fmt(l.used)} of ${fmt(l.max)}${l.over ? `, OVER by ${fmt(l.over)}` : ""}`,
    ),
    `  counters equal the recorded rows: ${ingest.counters_match ? "yes" : "NO"}`,
    ...(ingest.path === "service"
      ? [
          `  (${serviceAsked ? "--path service" : "POST /api/v1/usage is not served yet"}: measured services.usage.record, which the API calls)`,
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
  ];
}
