import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import type { Logger } from "../logger";
import { boltLogger } from "./bolt-logger";

/** How persistent a sender is; tests shorten the waits. */
export interface RetryPolicy {
  /** Tries per call, counting the first (429s don't count: Slack said when to come back). */
  attempts: number;
  /** First wait after a 5xx or a network failure; doubled each time. */
  backoffMs: number;
  /** The longest Retry-After worth waiting in-process; longer, and the work goes back to the queue. */
  maxRetryAfterMs: number;
  /** How long one Web API call may take before it counts as a network failure. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  backoffMs: 1_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 10_000,
};

/** Slack's own limit for posting: about one message per second per channel. */
const CHANNEL_GAP_MS = 1_000;

/**
 * A Web API client for work that must happen once (the digest): it does not let WebClient retry on
 * its own, because a 5xx or a dropped connection can hide a post that Slack did make, and a blind
 * retry would post twice. Instead each call is retried here: after a 429, when Retry-After says;
 * after a 5xx or a network failure, with backoff, and only once `recover` (which looks for what
 * the failed call may have done) has found nothing.
 */
export class SlackSender {
  readonly client: WebClient;
  private readonly nextSlot = new Map<string, number>();

  constructor(
    base: WebClient,
    private readonly logger: Logger,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.client = new WebClient(base.token, {
      slackApiUrl: base.slackApiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: policy.timeoutMs,
      logger: boltLogger(logger),
      logLevel: LogLevel.WARN,
    });
  }

  /**
   * Runs `call`, retrying as described above. `recover` is asked, before each retry that follows
   * an ambiguous failure, whether the call took effect after all; what it returns is the result.
   */
  async send<T>(what: string, call: () => Promise<T>, recover?: () => Promise<T | undefined>): Promise<T> {
    let failures = 0;
    let ambiguous = false;
    for (;;) {
      if (ambiguous && recover) {
        const found = await recover();
        if (found !== undefined) return found;
      }
      try {
        return await call();
      } catch (error) {
        const retryAfterMs = rateLimitedFor(error);
        if (retryAfterMs !== undefined && retryAfterMs <= this.policy.maxRetryAfterMs) {
          this.logger.warn(
            { what, retryAfterMs },
            "Slack asked us to slow down; waiting as Retry-After says",
          );
          await sleep(retryAfterMs);
          ambiguous = false;
          continue;
        }
        failures += 1;
        if (!isTransient(error) || failures >= this.policy.attempts) throw error;
        const wait = this.policy.backoffMs * 2 ** (failures - 1);
        this.logger.warn({ what, err: describe(error), wait }, "Slack failed for a moment; trying again");
        await sleep(wait);
        ambiguous = true;
      }
    }
  }

  /** Waits until this channel may take another message (about one per second), then books the slot. */
  async paceChannel(channel: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? 0);
    this.nextSlot.set(channel, slot + CHANNEL_GAP_MS);
    if (slot > now) await sleep(slot - now);
  }
}

/** The wait Slack asked for, in ms, when the error is a 429. */
export function rateLimitedFor(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number };
  return e?.code === ErrorCode.RateLimitedError ? (e.retryAfter ?? 1) * 1000 : undefined;
}

/** A 5xx or a failure to get any answer: worth trying again, and the call may have happened. */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: string; statusCode?: number };
  if (e?.code === ErrorCode.RequestError) return true;
  return e?.code === ErrorCode.HTTPError && (e.statusCode ?? 0) >= 500;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
