import type { AckResult } from "./ack.bench";
import { type BenchRow, fmt } from "./report";

/** The figure's rows in `npm run bench`'s table. */
export function ackRows(ack: AckResult): BenchRow[] {
  return [
    {
      figure: `ack p99 (${ack.rate}/s)`,
      measured: `reply ${ack.reply_p99_ms} ms (p50 ${ack.reply_p50_ms}; 200 ${ack.p99_ms})`,
      baseline: `bare Bolt ack ${ack.baseline_p99_ms} ms (p50 ${ack.baseline_p50_ms})`,
      ratio: `${ack.p99_ratio}×`,
      target: "≤ 1.5× baseline",
      met: ack.p99_ratio <= 1.5,
    },
    {
      figure: `ack throughput (${ack.saturation_senders} senders)`,
      measured: `${fmt(ack.throughput)} replies/s`,
      baseline: `${fmt(ack.baseline_throughput)} acks/s`,
      ratio: `${ack.throughput_ratio.toFixed(2)}×`,
      target: "≥ 0.6× baseline",
      met: ack.throughput_ratio >= 0.6,
    },
    {
      figure: "ack replies",
      measured: `${fmt(ack.bad_replies)} wrong, ${fmt(ack.missing_replies)} missing, ${fmt(ack.late_acks)} acks after 3 s`,
      baseline: "—",
      ratio: "—",
      target: "none",
      met: ack.bad_replies === 0 && ack.missing_replies === 0 && ack.late_acks === 0,
    },
    {
      figure: "ack memory",
      measured: `${ack.rss_mb} MB peak RSS`,
      baseline: `bare ${ack.baseline_rss_mb} MB`,
      ratio: "—",
      target: "reported",
      met: null,
    },
  ];
}

/** What the table leaves out: the load, the machine's share of it, and (--profile) where time went. */
export function ackLines(ack: AckResult): string[] {
  const calls = Object.entries(ack.slack_calls_per_command)
    .map(([method, n]) => `${method} ${n}`)
    .join(", ");
  return [
    "",
    `ack: ${ack.commands.join(", ")} in turn, from each of ${fmt(ack.members)} members in turn (one in ten an admin), ${fmt(ack.usage_events)} usage events in 30 days`,
    `  paced: ${ack.rate}/s for ${ack.paced_seconds} s per app; saturation: ${ack.saturation_senders} senders each waiting for its reply, ${ack.saturation_seconds} s per app (reply p50 ${ack.saturation_reply_p50_ms} ms, p99 ${ack.saturation_reply_p99_ms} ms; bare p99 ${ack.baseline_saturation_p99_ms} ms)`,
    `  app CPU per command at saturation: Roster ${ack.cpu_ms_per_command} ms, bare ${ack.baseline_cpu_ms_per_command} ms; Web API calls per command: ${calls || "none"}`,
    `  replies through the response_url after an empty ack: ${fmt(ack.replies_after_ack)}; Roster's log warnings/errors: ${fmt(ack.app_log_problems)}; busy ${ack.busy_after_paced_s} s after the paced run`,
    `  peak RSS of Roster's process: ${ack.paced_rss_mb} MB at ${ack.rate}/s, ${ack.saturation_rss_mb} MB at saturation, ${ack.rss_mb} MB over its life`,
    `  the bench (load + Slack stand-in) used ${ack.cpu_pct.bench_vs_bare}% of a core against the bare app (which used ${ack.cpu_pct.bare}%) and ${ack.cpu_pct.bench_vs_roster}% against Roster (${ack.cpu_pct.roster}%); paced requests left up to ${ack.generator_lag_p99_ms} ms late (p99); load average ${ack.load_average[0]} before, ${ack.load_average[1]} after`,
    ...Object.entries(ack.bad_reply_kinds).map(([kind, n]) => `  wrong reply ${fmt(n)}×: ${kind}`),
    ...(ack.experiment_skip
      ? [`  EXPERIMENT: BENCH_ACK_SKIP=${ack.experiment_skip}; these are not Roster's figures`]
      : []),
    ...(ack.profile
      ? [
          "",
          "ack, Roster at saturation (--profile): the JavaScript that took the most time itself",
          ...ack.profile.cpu.map((f) => `  ${String(f.selfMs).padStart(7)} ms  ${f.fn}`),
          "and its statements:",
          ...ack.profile.queries.map(
            (q) => `  ${q.totalMs.toFixed(0).padStart(7)} ms ${String(q.count).padStart(6)}×  ${q.sql}`,
          ),
        ]
      : []),
  ];
}
