/** Where progress goes: stderr, which is a terminal or isn't. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_MS = 100;
const BAR = 24;

/**
 * A one-line progress bar redrawn in place on a terminal: percentage of the file's bytes read,
 * rows so far and rows per second. Off the terminal (a pipe, a log file, a test) it draws nothing,
 * so redirected output stays clean.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private drawn = 0;
  private visible = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totalBytes: number,
  ) {}

  update(rows: number, bytes: number, force = false): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (!force && now - this.drawn < REDRAW_MS) return;
    this.drawn = now;
    const share = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 1;
    const filled = Math.round(share * BAR);
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = Math.round(rows / seconds);
    const line = `${String(Math.floor(share * 100)).padStart(3)}% [${"█".repeat(filled)}${"░".repeat(BAR - filled)}] ${fmt(rows)} rows · ${fmt(rate)} rows/s`;
    // A pseudo-terminal may report 0 columns: treat that as unknown.
    this.stream.write(`\r${line.slice(0, (this.stream.columns || 80) - 1)}\x1b[K`);
    this.visible = true;
  }

  /** Clears the bar so the summary starts on a clean line. */
  clear(): void {
    if (this.visible) this.stream.write("\r\x1b[K");
    this.visible = false;
  }
}

export const fmt = (n: number) => n.toLocaleString("en-US");
