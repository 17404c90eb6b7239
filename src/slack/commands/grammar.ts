import { decodeEntities, isEmail, type Markup, readMarkup } from "./slack-markup";
import { clip, groupDigits, UsageError } from "./usage-error";

export { Args } from "./args";
export { UsageError } from "./usage-error";

/**
 * The one parser for the text of a `/team` command (what Slack sends as `text`). Pure: no Slack
 * SDK types, so the console, the listeners and the tests all read commands the same way.
 */
export type Token =
  /** A bare word, or text in quotes ("…", “…”, '…', ‘…’). */
  | { kind: "word"; value: string; quoted: boolean }
  /** A mention, `<@U123ABC>` or `<@U123ABC|alice>`. */
  | { kind: "user"; id: string }
  /** A channel link, `<#C123ABC|general>` or `<#C123ABC>`. */
  | { kind: "channel"; id: string; name?: string }
  /** `bob@example.com`, as typed or as Slack's `<mailto:bob@example.com|bob@example.com>`. */
  | { kind: "email"; value: string }
  /**
   * `key=value`. The key is lowercased up to its first "." and kept as written after it
   * (`Meta.costCenter` -> `meta.costCenter`); `value` is the word, email, user id or channel id.
   */
  | { kind: "option"; key: string; value: string; valueToken: Token };

export interface ParsedCommand {
  /** The first token when it is a bare word, lowercased; otherwise null. */
  subcommand: string | null;
  /** Every token after the subcommand (all of them when there is none). */
  tokens: Token[];
}

type Value = Exclude<Token, { kind: "option" }>;
interface Read<T extends Token = Token> {
  token: T;
  end: number;
}

const MAX_LENGTH = 4000;
// Slack clients and OS keyboards swap straight quotes for smart ones, picking the glyph from the
// character before it: after `=` a Mac turns " into ”, so `description=”x”` must read as quoted.
// Any quote of the same family therefore both opens and closes.
const DOUBLE_QUOTES = `"“”„`;
const SINGLE_QUOTES = `'‘’`;
const QUOTES = DOUBLE_QUOTES + SINGLE_QUOTES;
const KEY = /^[A-Za-z][A-Za-z0-9._-]*$/;
const SPACE = /[\s\p{White_Space}]/u;
// Whitespace control characters (tab, newline, NEL…) separate words; any other is refused.
const BAD_CHARACTER = /(?![\t\n\v\f\r\u0085])[\p{Cc}\p{Cs}]/u;

/** Splits the command text into a lowercased subcommand and the tokens after it. Throws only UsageError. */
export function parseCommand(text: string): ParsedCommand {
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first?.kind === "word" && !first.quoted) {
    return { subcommand: first.value.toLowerCase(), tokens: tokens.slice(1) };
  }
  return { subcommand: null, tokens };
}

/** Splits command text into tokens. Throws only UsageError, whatever the input. */
export function tokenize(text: string): Token[] {
  const source = typeof text === "string" ? text : "";
  checkShape(source);
  const tokens: Token[] = [];
  let at = skipSpace(source, 0);
  while (at < source.length) {
    const read = readToken(source, at);
    tokens.push(read.token);
    at = skipSpace(source, read.end);
  }
  return tokens;
}

function checkShape(text: string): void {
  if (text.length > MAX_LENGTH) {
    let length = 0;
    for (const _ of text) length++;
    if (length > MAX_LENGTH) {
      throw new UsageError(
        `A command can be at most ${groupDigits(MAX_LENGTH)} characters, and this one has ${groupDigits(length)}; shorten it.`,
      );
    }
  }
  const bad = BAD_CHARACTER.exec(text);
  if (bad) {
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    throw new UsageError(
      /\p{Cs}/u.test(bad[0])
        ? `The command contains a broken character (${code}); retype that part and send the command again.`
        : `The command contains an invisible control character (${code}); remove it and send the command again.`,
    );
  }
}

function readToken(text: string, at: number): Read {
  if (QUOTES.includes(text[at])) return readQuoted(text, at);
  if (text[at] === "<") {
    const markup = readMarkup(text, at);
    if (markup?.kind === "text") return readBare(text, markup.end, markup.text, true);
    // "@alice, @bob" arrives as "<@U1>, <@U2>": the commas only separate the people.
    if (markup) return afterCommas(text, reference(markup));
  }
  return readBare(text, at, "", true);
}

/** A bare word runs to the next space; Slack's links inside it stand for the text the user typed. */
function readBare(text: string, start: number, prefix: string, mayBeOption: boolean): Read {
  let value = prefix;
  let run = start;
  let at = start;
  while (at < text.length && !SPACE.test(text[at])) {
    if (text[at] === "<") {
      const markup = readMarkup(text, at);
      if (markup?.kind === "text" || markup?.kind === "email") {
        value +=
          decodeEntities(text.slice(run, at)) + (markup.kind === "text" ? markup.text : markup.address);
        at = run = markup.end;
        continue;
      }
      // A mention right after other text starts a token of its own.
      if (markup) break;
    } else if (text[at] === "=" && mayBeOption) {
      // The key is what the user typed before "=", a link's text included, as it reads back.
      const key = value + decodeEntities(text.slice(run, at));
      if (key && KEY.test(key)) return readOption(text, key, at + 1);
    }
    at++;
  }
  value += decodeEntities(text.slice(run, at));
  const email = value.replace(/,+$/, "");
  if (isEmail(email)) return afterCommas(text, { token: { kind: "email", value: email }, end: at });
  return { token: { kind: "word", value, quoted: false }, end: at };
}

function readOption(text: string, rawKey: string, at: number): Read {
  if (at >= text.length || SPACE.test(text[at])) {
    const key = clip(rawKey);
    throw new UsageError(`Give ${key}= a value, in quotes if it has spaces, like ${key}="…".`);
  }
  const read = readValue(text, at);
  const valueToken = read.token;
  const value =
    valueToken.kind === "user" || valueToken.kind === "channel" ? valueToken.id : valueToken.value;
  return { token: { kind: "option", key: optionKey(rawKey), value, valueToken }, end: read.end };
}

function readValue(text: string, at: number): Read<Value> {
  if (QUOTES.includes(text[at])) return readQuoted(text, at);
  if (text[at] === "<") {
    const markup = readMarkup(text, at);
    if (markup?.kind === "text") return readBare(text, markup.end, markup.text, false) as Read<Value>;
    if (markup) return reference(markup);
  }
  return readBare(text, at, "", false) as Read<Value>;
}

/** `Meta.costCenter` -> `meta.costCenter`: the option is case-blind, the metadata key is not. */
function optionKey(raw: string): string {
  const dot = raw.indexOf(".");
  return dot < 0 ? raw.toLowerCase() : raw.slice(0, dot).toLowerCase() + raw.slice(dot);
}

/**
 * Quoted text is plain text: Slack markup inside it becomes what the user saw (`@alice`,
 * `#general`, a link's label), so a description can never smuggle in a ping. A quote closes only
 * where it is followed by a space or the end, so `'Bob's team'` and `O'Brien` read as written;
 * a backslash before a quote or a backslash makes it literal.
 */
function readQuoted(text: string, start: number): Read<Value> {
  const family = DOUBLE_QUOTES.includes(text[start]) ? DOUBLE_QUOTES : SINGLE_QUOTES;
  let value = "";
  let run = start + 1;
  let at = run;
  while (at < text.length) {
    const char = text[at];
    if (char === "\\" && (QUOTES + "\\").includes(text[at + 1] ?? "x")) {
      value += decodeEntities(text.slice(run, at)) + text[at + 1];
      at = run = at + 2;
      continue;
    }
    if (family.includes(char) && (at + 1 === text.length || SPACE.test(text[at + 1]))) {
      value += decodeEntities(text.slice(run, at));
      return { token: { kind: "word", value, quoted: true }, end: at + 1 };
    }
    const markup = char === "<" ? readMarkup(text, at) : null;
    if (markup) {
      value += decodeEntities(text.slice(run, at)) + visibleText(markup);
      at = run = markup.end;
      continue;
    }
    at++;
  }
  throw new UsageError(
    `The quote that starts at “${clip(decodeEntities(text.slice(start)))}” is never closed; close it with a matching quote.`,
  );
}

function visibleText(markup: Markup): string {
  switch (markup.kind) {
    case "user":
      return `@${markup.label || markup.id}`;
    case "channel":
      return `#${markup.name || markup.id}`;
    case "email":
      return markup.address;
    default:
      return markup.text;
  }
}

/** A mention, channel or email outside quotes; group pings and hand-typed look-alikes are refused. */
function reference(markup: Exclude<Markup, { kind: "text" }>): Read<Value> {
  switch (markup.kind) {
    case "user":
      return { token: { kind: "user", id: markup.id }, end: markup.end };
    case "channel": {
      const token: Value = markup.name
        ? { kind: "channel", id: markup.id, name: markup.name }
        : { kind: "channel", id: markup.id };
      return { token, end: markup.end };
    }
    case "email":
      return { token: { kind: "email", value: markup.address }, end: markup.end };
    default:
      throw new UsageError(markup.error);
  }
}

function afterCommas<T extends Token>(text: string, read: Read<T>): Read<T> {
  let end = read.end;
  while (text[end] === ",") end++;
  return { token: read.token, end };
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && SPACE.test(text[at])) at++;
  return at;
}
