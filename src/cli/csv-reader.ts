import { StringDecoder } from "node:string_decoder";

/** One record of a CSV file: its fields, the line it starts on, and what is wrong with it, if anything. */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts (a quoted field may span lines). */
  line: number;
  /** Set when the record breaks RFC 4180 (text after a closing quote, a quote never closed). */
  error?: string;
}

/** A record longer than this is a quote left open, not data: reading stops rather than buffer the file. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * Reads RFC 4180 CSV from a stream, a chunk at a time, yielding one record per row: fields split
 * on commas, double-quoted fields may hold commas, quotes (doubled) and line breaks; rows end with
 * CRLF or LF; a UTF-8 byte-order mark is skipped and blank lines are ignored. A malformed row is
 * yielded with `error` set, so the caller can report its line and go on with the next.
 * Multi-byte characters split across chunks are decoded whole (StringDecoder).
 */
export async function* readCsv(source: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder("utf8");
  const parser = new CsvParser();
  for await (const chunk of source) {
    yield* parser.push(typeof chunk === "string" ? chunk : decoder.write(chunk));
  }
  yield* parser.push(decoder.end());
  yield* parser.end();
}

type State = "start" | "unquoted" | "quoted" | "quote-in-quoted" | "after-quote-error";

/** The state machine behind readCsv: push text, collect the records it completes. */
class CsvParser {
  private state: State = "start";
  private field = "";
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private recordChars = 0;
  private error: string | undefined;
  private first = true;
  private pendingCr = false;
  private quotedCr = false;

  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      // A CR ends a row; the LF right after it (possibly in the next chunk) belongs to it.
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === "\n") continue;
      }
      if (++this.recordChars > MAX_RECORD_CHARS) {
        throw new Error(
          `line ${this.recordLine}: a row longer than ${MAX_RECORD_CHARS} characters (a quote never closed?)`,
        );
      }
      switch (this.state) {
        case "quoted":
          if (c === '"') {
            this.state = "quote-in-quoted";
            this.quotedCr = false;
          } else {
            // CRLF inside a quoted field is one line break, even when split across chunks.
            if (c === "\r" || (c === "\n" && !this.quotedCr)) this.line++;
            this.quotedCr = c === "\r";
            this.field += c;
          }
          break;
        case "quote-in-quoted":
          if (c === '"') {
            this.field += '"';
            this.state = "quoted";
          } else if (c === ",") this.endField();
          else if (c === "\n" || c === "\r") this.endRow(out, c);
          else {
            this.error ??= `text after the closing quote of field ${this.fields.length + 1}; double a quote inside a quoted field ("")`;
            this.state = "after-quote-error";
          }
          break;
        case "after-quote-error":
          if (c === ",") this.endField();
          else if (c === "\n" || c === "\r") this.endRow(out, c);
          break;
        default:
          // "start" (of a field) or "unquoted".
          if (c === ",") this.endField();
          else if (c === "\n" || c === "\r") this.endRow(out, c);
          else if (c === '"' && this.state === "start") this.state = "quoted";
          else {
            this.field += c;
            this.state = "unquoted";
          }
      }
    }
    return out;
  }

  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.state === "quoted") {
      this.error ??= `a quoted field opened on line ${this.recordLine} is never closed`;
    }
    if (this.state !== "start" || this.fields.length > 0) this.emit(out);
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.state = "start";
  }

  private endRow(out: CsvRecord[], terminator: string): void {
    this.emit(out);
    this.line++;
    this.recordLine = this.line;
    if (terminator === "\r") this.pendingCr = true;
  }

  private emit(out: CsvRecord[]): void {
    this.fields.push(this.field);
    const blank = this.fields.length === 1 && this.fields[0] === "" && this.state === "start";
    if (!blank)
      out.push({ fields: this.fields, line: this.recordLine, ...(this.error && { error: this.error }) });
    this.fields = [];
    this.field = "";
    this.state = "start";
    this.error = undefined;
    this.recordChars = 0;
    this.recordLine = this.line;
  }
}
