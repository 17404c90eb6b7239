import type { Token } from "./grammar";
import { clip, groupDigits, UsageError } from "./usage-error";

type Option = Extract<Token, { kind: "option" }>;

// 10k, 1.5m, 2M, 1_000, 1,000: how people write token counts.
const AMOUNT = /^(-?)(\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*)(?:\.(\d+))?([kmb]?)$/i;
const SCALE: Record<string, number> = { "": 0, k: 3, m: 6, b: 9 };

/**
 * Typed access to a command's tokens, used by every subcommand handler. Each accessor throws a
 * UsageError that shows the command's usage line. Option keys are compared as the grammar writes
 * them: lowercase up to the first "." (`tx`, `meta.`).
 */
export class Args {
  readonly usage: string;
  private readonly tokens: readonly Token[];
  private readonly flagged = new Set<Token>();
  // Words already read as names: a team called "budget" never doubles as the `budget` flag.
  private readonly claimed = new Set<Token>();

  constructor(tokens: Token[], usage: string) {
    this.tokens = [...tokens];
    this.usage = usage;
  }

  /** True when the command has nothing after its name (some then open a form instead). */
  isEmpty(): boolean {
    return this.tokens.length === 0;
  }

  /** The tokens that are not options, less the flags asked for so far. */
  positionals(): Token[] {
    return this.tokens.filter((t) => t.kind !== "option" && !this.flagged.has(t));
  }

  /** The index-th positional word (quoted or not); a missing one is a UsageError naming `what`. */
  word(index: number, what: string): string {
    const value = this.optionalWord(index);
    if (value === undefined) throw this.error(`Name the ${what}`);
    return value;
  }

  optionalWord(index: number): string | undefined {
    const token = this.positionals().filter((t) => t.kind === "word")[index];
    if (token?.kind !== "word") return undefined;
    this.claimed.add(token);
    return token.value;
  }

  /** The user ids mentioned among the positionals from `from` on, each once. */
  users(from = 0): string[] {
    return this.people(from, false).users;
  }

  /** The people among the positionals from `from` on, each once: mentions and email addresses. */
  usersAndEmails(from = 0): { users: string[]; emails: string[] } {
    return this.people(from, true);
  }

  /** An option's value: the text, or the id of a mentioned user or channel. */
  option(key: string): string | undefined {
    const found = this.tokens.filter((t): t is Option => t.kind === "option" && t.key === key);
    if (found.length > 1) throw this.error(`Give ${key}= only once`);
    return found[0]?.value;
  }

  /** Options under a prefix, the prefix stripped: options("meta.") -> { costCenter: "42" }. */
  options(prefix: string): Record<string, string> {
    const entries: [string, string][] = [];
    for (const token of this.tokens) {
      if (token.kind !== "option" || !token.key.startsWith(prefix)) continue;
      const name = token.key.slice(prefix.length);
      if (!name) throw this.error(`Write a key after ${prefix}, like ${prefix}<key>=<value>`);
      if (entries.some(([seen]) => seen === name)) throw this.error(`Give ${clip(token.key)}= only once`);
      entries.push([name, token.value]);
    }
    // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key.
    return Object.fromEntries(entries);
  }

  /** Whether a bare word like `mine` or `post` is present (any case); it then stops being a positional. */
  flag(word: string): boolean {
    const wanted = word.toLowerCase();
    const found = this.positionals().filter(
      (t) => t.kind === "word" && !t.quoted && !this.claimed.has(t) && t.value.toLowerCase() === wanted,
    );
    for (const token of found) this.flagged.add(token);
    return found.length > 0;
  }

  /** A whole number option (`tx=10k`, `total=1,500,000`, `page=2`) within [min, max]. */
  int(key: string, { min, max }: { min: number; max: number }): number | undefined {
    const raw = this.option(key);
    if (raw === undefined) return undefined;
    const value = parseAmount(raw);
    if (value === undefined) {
      throw this.error(`Give ${key}= a whole number like ${key}=${example(min, max)}, not “${clip(raw)}”`);
    }
    if (value < min || value > max) {
      throw this.error(
        `Give ${key}= a whole number from ${groupDigits(min)} to ${groupDigits(max)}, not “${clip(raw)}”`,
      );
    }
    return value;
  }

  /** An option whose value must be one of `allowed` (any case); returns it as spelled in `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const raw = this.option(key);
    if (raw === undefined) return undefined;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (match === undefined) throw this.error(`Give ${key}= one of ${orList(allowed)}, not “${clip(raw)}”`);
    return match;
  }

  /**
   * Refuses options not in `optionKeys` (a prefix is listed as "meta.*"), options given twice,
   * and more than `maxPositionals` positionals.
   */
  expectOnly(optionKeys: string[], maxPositionals: number): void {
    const prefixes = optionKeys.filter((k) => k.endsWith(".*")).map((k) => k.slice(0, -1));
    const seen = new Set<string>();
    for (const token of this.tokens) {
      if (token.kind !== "option") continue;
      const prefix = prefixes.find((p) => token.key.startsWith(p));
      if (prefix !== undefined && token.key === prefix) {
        throw this.error(`Write a key after ${prefix}, like ${prefix}<key>=<value>`);
      }
      if (prefix === undefined && !optionKeys.includes(token.key))
        throw this.unknownOption(token, optionKeys);
      if (seen.has(token.key)) throw this.error(`Give ${clip(token.key)}= only once`);
      seen.add(token.key);
    }
    const extra = this.positionals()[maxPositionals];
    if (extra) throw this.error(`Unexpected ${describe(extra)}; write the command like this`);
  }

  private people(from: number, emailsAllowed: boolean): { users: string[]; emails: string[] } {
    const users = new Set<string>();
    const emails = new Map<string, string>();
    for (const token of this.positionals().slice(Math.max(0, from))) {
      if (token.kind === "user") users.add(token.id);
      else if (token.kind === "email" && emailsAllowed) {
        if (!emails.has(token.value.toLowerCase())) emails.set(token.value.toLowerCase(), token.value);
      } else if (token.kind === "email") {
        throw this.error(`Mention people with @ here rather than by email address (${describe(token)})`);
      } else if (token.kind === "word" && !token.quoted && token.value.startsWith("@")) {
        // Slack leaves "@name" as plain text when no one was picked from its list: say so
        // rather than silently leave that person out.
        throw this.error(
          `Pick ${describe(token)} from the list Slack shows as you type @, so it becomes a mention`,
        );
      }
    }
    return { users: [...users], emails: [...emails.values()] };
  }

  private unknownOption(token: Option, accepted: string[]): UsageError {
    const command = this.usage.split(/\s+(?=[<[])/)[0];
    const key = `“${clip(token.key)}=”`;
    if (accepted.length === 0) return this.error(`This command takes no options, so remove ${key}`);
    const list = orList(accepted.map((k) => (k.endsWith(".*") ? `${k.slice(0, -1)}<key>=` : `${k}=`)));
    return new UsageError(`There is no option ${key} for ${command}; it accepts ${list}.`);
  }

  private error(problem: string): UsageError {
    return new UsageError(`${problem}: ${this.usage}.`);
  }
}

function parseAmount(raw: string): number | undefined {
  const match = AMOUNT.exec(raw.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = "", suffix] = match;
  const zeros = SCALE[suffix.toLowerCase()];
  const digits = fraction.replace(/0+$/, "");
  if (digits.length > zeros) return undefined;
  const value = Number(BigInt(whole.replace(/[,_]/g, "") + digits.padEnd(zeros, "0")));
  return sign && value ? -value : value;
}

function example(min: number, max: number): string {
  return min <= 10_000 && max >= 1_000_000 ? "10k" : String(min);
}

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** A token as it might be quoted back to the user. */
function describe(token: Token): string {
  switch (token.kind) {
    case "user":
      return `<@${token.id}>`;
    case "channel":
      return `<#${token.id}>`;
    case "option":
      return `“${clip(`${token.key}=${token.value}`)}”`;
    default:
      return `“${clip(token.value)}”`;
  }
}
