import type { SpendResult } from "../services/usage.service";
import { fmt } from "./progress";

/** How many invalid rows the summary shows by line; the rest are counted. */
export const INVALID_SHOWN = 5;

/** What an import did, row by row, and the summary printed at its end. */
export class ImportTally {
  rows = 0;
  accepted = 0;
  duplicate = 0;
  /** 80%/100% limit crossings the service recorded while importing. */
  notices = 0;
  private readonly rejected = new Map<string, number>();
  private invalidCount = 0;
  private readonly invalidRows: { line: number; reason: string }[] = [];
  private readonly started = Date.now();

  add(result: Pick<SpendResult, "status" | "reason">): void {
    if (result.status === "accepted") this.accepted++;
    else if (result.status === "duplicate") this.duplicate++;
    else {
      const reason = result.reason ?? "rejected";
      this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    }
  }

  invalid(line: number, reason: string): void {
    this.invalidCount++;
    if (this.invalidRows.length < INVALID_SHOWN) this.invalidRows.push({ line, reason });
  }

  render(title: string): string {
    const rejected = [...this.rejected.values()].reduce((a, b) => a + b, 0);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const count = (n: number) => fmt(n).padStart(fmt(this.rows).length);
    const reasons = [...this.rejected]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${reason} ${fmt(n)}`);
    const out = [
      `${title}: ${fmt(this.rows)} rows in ${seconds} s`,
      `  accepted   ${count(this.accepted)}`,
      `  duplicate  ${count(this.duplicate)}`,
      `  rejected   ${count(rejected)}${reasons.length ? `   (${reasons.join(", ")})` : ""}`,
      `  invalid    ${count(this.invalidCount)}`,
    ];
    if (this.invalidRows.length) {
      const shown =
        this.invalidCount > this.invalidRows.length
          ? `the first ${this.invalidRows.length} of ${fmt(this.invalidCount)}`
          : "";
      out.push(
        `Invalid rows${shown ? ` (${shown})` : ""}:`,
        ...this.invalidRows.map((r) => `  line ${r.line}: ${r.reason}`),
      );
    }
    if (this.notices) {
      out.push(
        `${fmt(this.notices)} limit notice(s) (80%/100% crossed) were recorded as due; the import sends no Slack messages.`,
      );
    }
    return `${out.join("\n")}\n`;
  }
}
