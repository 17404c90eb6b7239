import type { UsageChartInput } from "../charts/usage-chart";
import type { Digest } from "../services/digest.service";
import type { Person } from "./people";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * The digest's chart: tokens per day of the week, stacked by its top members by name and the rest
 * as "others". Null when nobody spent anything (an empty chart says less than the text does).
 */
export function digestChartInput(digest: Digest, names: Map<string, Person | null>): UsageChartInput | null {
  if (digest.total <= 0) return null;
  const monday = new Date(`${digest.period.key}T00:00:00Z`);
  const week = `${monday.getUTCDate()} ${MONTHS[monday.getUTCMonth()]}`;
  return {
    title: `${digest.team.name} · week of ${week}${digest.period.partial ? " (so far)" : ""}`,
    days: digest.chart.days.map(dayLabel),
    series: digest.chart.series.map((s) => ({
      name: s.userId === null ? "others" : (names.get(s.userId)?.name ?? s.userId),
      values: s.values,
    })),
  };
}

/** "Mon 16" for 2026-11-16. */
function dayLabel(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()}`;
}
