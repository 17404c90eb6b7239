import { InvalidInput } from "../../domain/errors";

/**
 * A `/team` command that can't be understood as written. Like every domain error, its message is
 * one sentence saying what was wrong and how to write it instead; it is shown to the user as is.
 */
export class UsageError extends InvalidInput {}

const SNIPPET_MAX = 40;

/**
 * The user's own text, made safe to echo inside an error sentence: short, on one line, and with
 * `<` `>` swapped for look-alikes so that echoed input can never turn into Slack markup (a mention,
 * a link, an @channel ping), whether or not whoever sends the reply escapes it.
 */
export function clip(text: string): string {
  const chars = Array.from(text.replace(/[\p{Cc}\p{Cs}\s]+/gu, " "));
  const short = chars.length > SNIPPET_MAX ? `${chars.slice(0, SNIPPET_MAX - 1).join("")}…` : chars.join("");
  return short.replace(/</g, "‹").replace(/>/g, "›");
}

/** 1500000 -> "1,500,000", without depending on the ICU data Node was built with. */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
