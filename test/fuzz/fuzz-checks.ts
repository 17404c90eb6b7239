import type { Parameters } from "fast-check";
import { afterAll, afterEach, beforeAll } from "vitest";

/** What would tell a user that something broke, rather than what they did wrong. */
const BROKEN = [
  /Something went wrong/i,
  /\bat [\w.<>]+ \(/, // a stack frame
  /\.ts:\d+/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError|QueryFailedError|ZodError)\b/,
  /\b(SQLITE_\w+|ER_\w+)\b/,
  /\bundefined\b|\bNaN\b|\[object Object\]/,
];

/**
 * Why a reply (`text`, and `shown`, the mrkdwn of its first block) is not an acceptable answer to
 * bad input, or undefined when it is. A refusal (`:no_entry_sign: …`) is one short sentence (it
 * may start with the name it is about, whatever that name is), and what Slack shows of it has no
 * stray `<` that Slack would turn into a link. `echoed` is the input, so that a word the user
 * typed (such as "undefined") may appear in the reply.
 */
export function refusalProblem(reply: string, shown: string, echoed = ""): string | undefined {
  for (const pattern of BROKEN) {
    const match = pattern.exec(reply);
    if (match && !echoed.includes(match[0])) return `looks broken (${match[0]})`;
  }
  if (!reply.startsWith(":no_entry_sign: ")) return undefined;
  const sentence = reply.slice(":no_entry_sign: ".length);
  if (/^[\s.,;:]/u.test(sentence)) return "doesn't start like a sentence";
  if (!/[.?]$/.test(sentence)) return "doesn't end with a full stop";
  if (sentence.length > 600) return "is longer than a sentence";
  if (/[\n\r]/.test(sentence)) return "spans lines";
  // Only a real mention may be markup: any other < (echoed input, a usage line's <team>) would
  // show in Slack as a link.
  if (/<(?![@#][A-Z0-9]+(\|[^<>]*)?>)/.test(shown)) return `shows “${shown}”, with a < Slack reads as a link`;
  return undefined;
}

/**
 * Records every unhandled promise rejection while the block's tests run (vitest's own handler
 * still reports them); the getter returns what was seen, for `expect(...).toEqual([])`.
 */
export function trackUnhandledRejections(): () => string[] {
  const seen: string[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
  };
  beforeAll(() => {
    process.on("unhandledRejection", listener);
  });
  afterAll(() => {
    process.off("unhandledRejection", listener);
  });
  return () => [...seen];
}

/**
 * fast-check settings for a property that goes through HTTP and the database: `runs` cases, but
 * never more than `seconds` of them, so that a loaded CI machine runs fewer cases rather than
 * timing out (each file stays well inside vitest's 30 seconds per test). FUZZ_RUNS and
 * FUZZ_SECONDS go deeper locally.
 */
export function fuzzRuns(runs: number, seconds = 8): Parameters<unknown> {
  return {
    numRuns: Number(process.env.FUZZ_RUNS ?? runs),
    interruptAfterTimeLimit: Number(process.env.FUZZ_SECONDS ?? seconds) * 1000,
    markInterruptAsFailure: false,
  };
}

/**
 * fuzzRuns' time limit makes fast-check abandon a run still under way, not stop it: its requests
 * may still be writing when the next test reads the database. Wrap a predicate that writes with
 * the function this returns; after each test, every run it wrapped is awaited.
 */
export function awaitAbandonedRuns(): <A extends unknown[]>(
  predicate: (...args: A) => Promise<void>,
) => (...args: A) => Promise<void> {
  const running = new Set<Promise<void>>();
  afterEach(async () => {
    await Promise.allSettled([...running]);
  });
  return (predicate) =>
    (...args) => {
      const run = predicate(...args);
      running.add(run);
      const forget = () => running.delete(run);
      run.then(forget, forget);
      return run;
    };
}
