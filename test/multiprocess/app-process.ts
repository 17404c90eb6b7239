import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

/** The repository root: `npm start` runs there (tsx reads tsconfig.json from the working directory). */
const ROOT = path.resolve(__dirname, "../..");
/** What `npm start` runs, without npm in between (npm would add a process between us and the app). */
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/** One pino line of an app process, as written (JSON), with the fields the tests read. */
export interface LogLine {
  level: number;
  time: number;
  msg?: string;
  job?: string;
  [field: string]: unknown;
}

/** pino's numeric levels: 40 warn, 50 error, 60 fatal. */
export const WARN_LEVEL = 40;
export const ERROR_LEVEL = 50;

/**
 * `npm start` in a process of its own: HTTP mode on a free port (PORT=0; the port is read from the
 * "Roster is running" log line), logs captured line by line. The process leads its own process
 * group (tsx starts node as a child), so that `kill()` leaves nothing behind.
 */
export class AppProcess {
  /** Every stdout line that parsed as JSON (the app's logs). */
  readonly logs: LogLine[] = [];
  /** Everything else: stderr, and stdout lines that are not JSON (a crash's stack trace). */
  readonly otherOutput: string[] = [];
  /** Set once the process has exited (code, or the signal that ended it). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  port = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(TSX, ["src/main.ts"], {
      cwd: ROOT,
      // Only what the app needs: nothing from the test's own environment leaks in (a DATABASE_URL,
      // a SLACK_APP_TOKEN that would switch to Socket Mode). Empty means unset to loadConfig.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SLACK_APP_TOKEN: "", ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
    lines(this.child.stdout, (line) => {
      const parsed = parseLog(line);
      if (parsed) this.logs.push(parsed);
      else this.otherOutput.push(line);
    });
    lines(this.child.stderr, (line) => this.otherOutput.push(line));
    live.add(this);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The app's origin, e.g. http://127.0.0.1:PORT */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get slackUrl(): string {
    return `${this.origin}/slack/events`;
  }

  /** Waits for "Roster is running" (migrations applied, listening); fails if the process exits first. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const running = this.logs.find((l) => l.msg === "Roster is running");
      if (running) {
        this.port = Number(running.port);
        return;
      }
      if (this.exit) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `${this.name} ${this.exit ? `exited (${JSON.stringify(this.exit)})` : `wasn't running after ${timeoutMs} ms`} before "Roster is running":\n${this.transcript()}`,
    );
  }

  /**
   * SIGTERM to tsx, which passes it on to the app (a signal to the whole group would reach the app
   * twice, and its second SIGTERM has no handler); resolves with how it exited. After `graceMs`,
   * the group is killed.
   */
  async stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exit) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.killGroup(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // tsx exits with its child; anything else still in the group goes too.
    this.killGroup();
    live.delete(this);
    return this.exit ?? { code: null, signal: null };
  }

  /** SIGKILL to the process group: the test's safety net, synchronous so it works in an exit hook. */
  killGroup(): void {
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // The group is gone already.
    }
  }

  /** The last lines of output, for a failure message. */
  transcript(last = 40): string {
    const all = [...this.logs.map((l) => JSON.stringify(l)), ...this.otherOutput];
    return all.slice(-last).join("\n");
  }
}

/** Processes started and not yet stopped, killed if the test process exits without stopping them. */
const live = new Set<AppProcess>();
process.once("exit", () => {
  for (const app of live) app.killGroup();
});

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) onLine(part);
  });
  stream?.on("end", () => {
    if (rest.trim()) onLine(rest);
  });
}

function parseLog(line: string): LogLine | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed === "object" && parsed !== null && "level" in parsed) return parsed as LogLine;
  } catch {
    // Not a log line.
  }
  return undefined;
}
