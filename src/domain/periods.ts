import type { LimitPeriod } from "../../entities";

/**
 * Limit periods in the configured time zone (TIMEZONE): a daily limit resets at local midnight, a
 * weekly one on Monday at local midnight, a monthly one on the 1st. A period is named by its first
 * local day, `YYYY-MM-DD`; the lifetime period (`none`) is "".
 */

const DAY = 86_400_000;

interface LocalDate {
  year: number;
  month: number;
  day: number;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localDate(epochMs: number, timeZone: string): LocalDate {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(epochMs).map((p) => [p.type, p.value]));
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), weekday };
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

function clockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    clockFormats.set(timeZone, format);
  }
  return format;
}

function iso(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(epochMs: number, timeZone: string): string {
  const d = localDate(epochMs, timeZone);
  return iso(d.year, d.month, d.day);
}

const QUARTER_HOUR = 900_000;
const startsByQuarter = new Map<string, string>();

/**
 * The key of the period that contains `epochMs`. Every spend asks this for each limit, so answers
 * are remembered per quarter-hour (every zone's midnight falls on one: offsets are whole quarters).
 */
export function periodStart(period: LimitPeriod, epochMs: number, timeZone: string): string {
  if (period === "none") return "";
  const memo = `${period}|${timeZone}|${Math.floor(epochMs / QUARTER_HOUR)}`;
  let start = startsByQuarter.get(memo);
  if (start === undefined) {
    start = computePeriodStart(period, epochMs, timeZone);
    if (startsByQuarter.size > 10_000) startsByQuarter.clear();
    startsByQuarter.set(memo, start);
  }
  return start;
}

function computePeriodStart(period: Exclude<LimitPeriod, "none">, epochMs: number, timeZone: string): string {
  const d = localDate(epochMs, timeZone);
  if (period === "daily") return iso(d.year, d.month, d.day);
  if (period === "monthly") return iso(d.year, d.month, 1);
  return iso(d.year, d.month, d.day - d.weekday);
}

/** The instant a local day (`YYYY-MM-DD`) begins in the time zone. */
export function startOfLocalDay(day: string, timeZone: string): number {
  const [year, month, date] = day.split("-").map(Number);
  const asUtc = Date.UTC(year, month - 1, date);
  // Walk the guess by the zone's offset until local midnight lands on it (twice covers DST edges).
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const local = localDate(guess, timeZone);
    const hours = clockFormat(timeZone)
      .formatToParts(guess)
      .reduce(
        (acc, p) =>
          p.type === "hour"
            ? acc + Number(p.value) * 3_600_000
            : p.type === "minute"
              ? acc + Number(p.value) * 60_000
              : acc,
        0,
      );
    const localAsUtc = Date.UTC(local.year, local.month - 1, local.day) + hours;
    guess -= localAsUtc - asUtc;
  }
  return guess;
}

/** When the period containing `epochMs` ends and the limit resets; null for a lifetime limit. */
export function nextReset(period: LimitPeriod, epochMs: number, timeZone: string): number | null {
  if (period === "none") return null;
  const start = periodStart(period, epochMs, timeZone);
  const [year, month, day] = start.split("-").map(Number);
  const next =
    period === "daily"
      ? iso(year, month, day + 1)
      : period === "weekly"
        ? iso(year, month, day + 7)
        : iso(year, month + 1, 1);
  return startOfLocalDay(next, timeZone);
}

/** The instant the period containing `epochMs` began; 0 for a lifetime limit. */
export function periodBegan(period: LimitPeriod, epochMs: number, timeZone: string): number {
  return period === "none" ? 0 : startOfLocalDay(periodStart(period, epochMs, timeZone), timeZone);
}

export const PERIODS: LimitPeriod[] = ["none", "daily", "weekly", "monthly"];
export { DAY };

/** The local day `days` after (or, negative, before) `day`, both `YYYY-MM-DD`: calendar arithmetic, no zone. */
export function shiftDay(day: string, days: number): string {
  const [year, month, date] = day.split("-").map(Number);
  return iso(year, month, date + days);
}
