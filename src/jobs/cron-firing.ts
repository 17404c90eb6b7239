import { createTask, type ScheduledTask } from "node-cron";

const MINUTE = 60_000;

/**
 * When a cron expression last fired at or before a moment, in a time zone: what lets a tick that
 * comes late (the process was down at 09:00 on Monday, or a crash cut the run short) still know
 * which period is due. node-cron matches one date at a time, so this walks back minute by minute
 * once (handing the event loop back now and then), then only forward from what it found.
 */
export class CronFiring {
  /** Matches whole minutes in which the expression fires at some second. */
  private readonly minutes: ScheduledTask;
  /** The expression itself, for the seconds within such a minute; null for a 5-field one (second 0). */
  private readonly seconds: ScheduledTask | null;
  /** The last firing found, and the moment up to which minutes have been checked. */
  private known: { firing: number | null; checkedUpTo: number } | null = null;

  constructor(
    expression: string,
    timeZone: string,
    // A weekly digest's last firing is at most a week back; a rarer schedule still fires on time,
    // it just isn't caught up after a restart more than eight days later.
    private readonly lookbackMs: number = 8 * 24 * 3_600_000,
  ) {
    // Created, never started: they only answer match(). A 6-field expression names seconds too:
    // its minutes are found with the seconds field at 0, then its seconds within them.
    const fields = expression.trim().split(/\s+/);
    const options = { timezone: timeZone };
    this.minutes = createTask(
      fields.length === 6 ? ["0", ...fields.slice(1)].join(" ") : expression,
      noop,
      options,
    );
    this.seconds = fields.length === 6 ? createTask(expression, noop, options) : null;
  }

  /** The last firing at or before `now` (epoch ms, on a whole second), null if none in the lookback. */
  async lastAtOrBefore(now: number): Promise<number | null> {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    // The current minute is checked again each time: its later seconds may not have come yet.
    const known = this.known;
    const from =
      known && known.checkedUpTo < minute && minute - known.checkedUpTo < this.lookbackMs
        ? known.checkedUpTo
        : minute - this.lookbackMs;
    for (let at = minute, checked = 0; at > from; at -= MINUTE, checked += 1) {
      // The first walk back is thousands of matches: let requests in between.
      if (checked % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      const firing = this.minutes.match(new Date(at)) ? this.lastSecond(at, now) : null;
      if (firing !== null) return this.remember(firing, minute);
    }
    return this.remember(from === minute - this.lookbackMs ? null : (known?.firing ?? null), minute);
  }

  /** The last second of this minute, up to `now`, at which the expression fires. */
  private lastSecond(minute: number, now: number): number | null {
    if (!this.seconds) return minute <= now ? minute : null;
    for (let at = Math.min(minute + 59_000, Math.floor(now / 1000) * 1000); at >= minute; at -= 1000) {
      if (this.seconds.match(new Date(at))) return at;
    }
    return null;
  }

  /** Minutes before `checkedUpTo` are settled; the one at `checkedUpTo` is checked again next time. */
  private remember(firing: number | null, checkedUpTo: number): number | null {
    this.known = { firing, checkedUpTo: checkedUpTo - MINUTE };
    return firing;
  }
}

const noop = () => undefined;
