import { startOfLocalDay } from "../domain/periods";
import type { CsvRecord } from "./csv-reader";

/** A CSV row that passed validation; `user` is a Slack ID or an email still to be looked up. */
export interface ImportRow {
  line: number;
  transactionId: string;
  user: string;
  tokens: number;
  resource: string;
  occurredAt?: number;
}

export type ParsedRow = { row: ImportRow } | { invalid: { line: number; reason: string } };

/** The same bounds as the API (UsageService): checked here so one bad row doesn't refuse its batch. */
const MAX_TEXT = 191;
const MAX_TOKENS = 1_000_000_000_000;
/** As the API: clocks differ a little, but usage dated further ahead is a mistake. */
const FUTURE_SKEW_MS = 5 * 60_000;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// A date-time with an explicit zone: without one, the instant would depend on where it was exported.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

type Column = "transactionId" | "user" | "tokens" | "resource" | "occurredAt";
const REQUIRED: Column[] = ["transactionId", "user", "tokens", "resource"];
const ALIASES: Record<string, Column> = {
  transactionid: "transactionId",
  user: "user",
  userid: "user",
  tokens: "tokens",
  resource: "resource",
  occurredat: "occurredAt",
};

export const COLUMNS_HELP = "transactionId,user,tokens,resource[,occurredAt]";

const show = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * Turns CSV records into spends. The header names the columns (any order, any case, snake_case
 * allowed); each later record becomes a row or an invalid line with one sentence saying why.
 */
export class RowParser {
  private readonly index: Record<Column, number | undefined>;
  private readonly width: number;

  /** Throws an Error (one sentence) for a header that can't be used. */
  constructor(
    header: CsvRecord,
    private readonly timeZone: string,
    private readonly now: number = Date.now(),
  ) {
    if (header.error) throw new Error(`The header (line ${header.line}) is not valid CSV: ${header.error}.`);
    const index: Partial<Record<Column, number>> = {};
    header.fields.forEach((name, i) => {
      const column =
        ALIASES[
          name
            .trim()
            .toLowerCase()
            .replace(/[^a-z]/g, "")
        ];
      if (!column)
        throw new Error(`Unknown column ${show(name)} in the header; the columns are ${COLUMNS_HELP}.`);
      if (index[column] !== undefined) throw new Error(`The header names the column ${column} twice.`);
      index[column] = i;
    });
    const missing = REQUIRED.filter((c) => index[c] === undefined);
    if (missing.length) {
      throw new Error(
        `The header lacks ${missing.join(", ")}; the first line must name the columns ${COLUMNS_HELP}.`,
      );
    }
    this.index = {
      transactionId: index.transactionId,
      user: index.user,
      tokens: index.tokens,
      resource: index.resource,
      occurredAt: index.occurredAt,
    };
    this.width = header.fields.length;
  }

  parse(record: CsvRecord): ParsedRow {
    const line = record.line;
    const invalid = (reason: string): ParsedRow => ({ invalid: { line, reason } });
    if (record.error) return invalid(`The row is not valid CSV: ${record.error}.`);
    if (record.fields.length !== this.width) {
      return invalid(`The row has ${record.fields.length} fields but the header has ${this.width}.`);
    }
    const get = (column: Column) => {
      const i = this.index[column];
      return i === undefined ? "" : record.fields[i].trim();
    };

    const transactionId = get("transactionId");
    if (!transactionId || transactionId.length > MAX_TEXT) {
      return invalid(
        `transactionId must be 1 to ${MAX_TEXT} characters (the caller's ID of the request), not ${show(transactionId)}.`,
      );
    }
    const user = get("user");
    if (user.length > 254 || (!SLACK_USER_ID.test(user) && !EMAIL.test(user))) {
      return invalid(`user ${show(user)} is neither a Slack user ID (like U0123ABCD) nor an email address.`);
    }
    const tokensText = get("tokens");
    const tokens = /^\d{1,13}$/.test(tokensText) ? Number(tokensText) : NaN;
    if (!(tokens <= MAX_TOKENS)) {
      return invalid(
        `tokens ${show(tokensText)} is not a whole number from 0 to ${MAX_TOKENS.toLocaleString("en-US")}.`,
      );
    }
    const resource = get("resource");
    if (!resource || resource.length > MAX_TEXT) {
      return invalid(
        `resource must be 1 to ${MAX_TEXT} characters, like a model name, not ${show(resource)}.`,
      );
    }
    const when = get("occurredAt");
    const occurredAt = when === "" ? undefined : this.time(when);
    if (occurredAt === null) {
      return invalid(
        `occurredAt ${show(when)} is not a time; use ISO 8601 with a zone (2026-01-05T09:00:00Z), a date (2026-01-05, midnight in TIMEZONE) or epoch milliseconds.`,
      );
    }
    if (occurredAt !== undefined && occurredAt > this.now + FUTURE_SKEW_MS) {
      return invalid(`occurredAt ${show(when)} is in the future; import usage once it has happened.`);
    }
    return {
      row: { line, transactionId, user, tokens, resource, ...(occurredAt !== undefined && { occurredAt }) },
    };
  }

  /** Epoch ms for an ISO instant, a local date, or epoch ms; null when it is none of them. */
  private time(text: string): number | null {
    if (/^\d{1,15}$/.test(text)) return Number(text);
    if (ISO_DATE.test(text)) return isCalendarDate(text) ? startOfLocalDay(text, this.timeZone) : null;
    if (!ISO_INSTANT.test(text) || !isCalendarDate(text.slice(0, 10))) return null;
    const ms = Date.parse(text.replace(" ", "T"));
    return Number.isNaN(ms) || ms < 0 ? null : ms;
  }
}

/** Date.parse rolls 2026-02-30 over into March; a typo in a date should be an invalid row instead. */
function isCalendarDate(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

/** Whether `user` is an email (to be looked up in Slack) rather than a Slack user ID. */
export const isEmail = (user: string) => !SLACK_USER_ID.test(user);
