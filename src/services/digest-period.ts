import { InvalidInput } from "../domain/errors";
import { localDay, periodStart, shiftDay, startOfLocalDay } from "../domain/periods";

/**
 * The week a digest covers: Monday to Sunday in TIMEZONE. The scheduled digest covers the week
 * that just ended; a preview covers the week so far and compares it with the same stretch of the
 * week before (a Wednesday-morning total against a whole previous week would always look like a drop).
 */
export interface DigestPeriod {
  /** The local date of the week's Monday, YYYY-MM-DD: names the period (claims, buttons). */
  key: string;
  /** [from, to) in epoch ms: the whole week, or its start until now for a preview. */
  from: number;
  to: number;
  /** [previousFrom, previousTo): what the total is compared with. */
  previousFrom: number;
  previousTo: number;
  /** The preview: the week so far. */
  partial: boolean;
  /** The local days covered, Monday first (up to today for a preview): the chart's x axis. */
  days: string[];
}

const WEEK_DAYS = 7;

/** The scheduled digest's period: the Monday-to-Sunday week that ended most recently before `at`. */
export function digestWeekEndedBefore(at: number, timeZone: string): DigestPeriod {
  return wholeWeek(shiftDay(periodStart("weekly", at, timeZone), -WEEK_DAYS), timeZone);
}

/** The preview's period: this week from Monday's local midnight until `at`. */
export function digestWeekSoFar(at: number, timeZone: string): DigestPeriod {
  const key = periodStart("weekly", at, timeZone);
  const from = startOfLocalDay(key, timeZone);
  const previousFrom = startOfLocalDay(shiftDay(key, -WEEK_DAYS), timeZone);
  const today = localDay(Math.max(from, at - 1), timeZone);
  const days = [key];
  while (days[days.length - 1] < today) days.push(shiftDay(days[days.length - 1], 1));
  // Clamped: across a DST change the previous week can be an hour shorter than this one so far.
  const previousTo = Math.min(previousFrom + (at - from), from);
  return { key, from, to: at, previousFrom, previousTo, partial: true, days };
}

/**
 * The week starting on Monday `key` as of `at`: the whole week once it has ended, the week so far
 * while it runs. For buttons that come back to a digest later ("Show all members").
 */
export function digestWeekOf(key: string, at: number, timeZone: string): DigestPeriod {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(key) ? Date.parse(key) : NaN;
  const monday = Number.isFinite(parsed) ? periodStart("weekly", parsed, "UTC") : "";
  if (monday !== key) {
    throw new InvalidInput(
      `week= is the date of a Monday written YYYY-MM-DD, like week=${periodStart("weekly", at, timeZone)}.`,
      "week",
    );
  }
  if (startOfLocalDay(key, timeZone) > at) {
    throw new InvalidInput(`The week of ${key} hasn't started yet; name a week up to this one.`, "week");
  }
  const next = startOfLocalDay(shiftDay(key, WEEK_DAYS), timeZone);
  return at >= next ? wholeWeek(key, timeZone) : digestWeekSoFar(at, timeZone);
}

function wholeWeek(key: string, timeZone: string): DigestPeriod {
  const days = Array.from({ length: WEEK_DAYS }, (_, i) => shiftDay(key, i));
  return {
    key,
    from: startOfLocalDay(key, timeZone),
    to: startOfLocalDay(shiftDay(key, WEEK_DAYS), timeZone),
    previousFrom: startOfLocalDay(shiftDay(key, -WEEK_DAYS), timeZone),
    previousTo: startOfLocalDay(key, timeZone),
    partial: false,
    days,
  };
}
