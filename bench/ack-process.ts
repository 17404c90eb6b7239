import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { FromApp, ToApp } from "./ack-app";
import type { FunctionStat, QueryStat } from "./query-profile";

export type Stats = Extract<FromApp, { type: "stats" }>;

/** An app under test in its own process (bench/ack-app.ts), run through tsx like `npm start`. */
export class AppProcess {
  /** Warnings and errors from the app's log (pino level ≥ 40). */
  readonly problems: string[] = [];
  private readonly stderr: string[] = [];
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    if (child.stdout) {
      createInterface({ input: child.stdout }).on("line", (line) => {
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          if ((entry.level ?? 0) >= 40)
            this.problems.push(`${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}`);
        } catch {
          this.problems.push(line);
        }
      });
    }
    child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
  }

  static async start(mode: "roster" | "bare", env: Record<string, string>): Promise<AppProcess> {
    // A clean environment: no SLACK_APP_TOKEN (Socket Mode) or .env values from the caller's shell.
    const child = fork(path.join(__dirname, "ack-app.ts"), [mode], {
      cwd: path.join(__dirname, ".."),
      execArgv: ["--import", "tsx"],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const app = new AppProcess(child);
    app.port = await new Promise<number>((resolve, reject) => {
      child.on("message", (message: FromApp) => {
        if (message.type === "ready") resolve(message.port);
      });
      child.once("exit", (code) =>
        reject(new Error(`the ${mode} app exited (${code}) before listening:\n${app.stderr.join("")}`)),
      );
    });
    return app;
  }

  stats(resetPeak = false): Promise<Stats> {
    return this.ask({ type: "stats", resetPeak }, "stats");
  }

  /** Profiles the app's CPU and SQL while `work` runs. */
  async profile(work: () => Promise<unknown>): Promise<{ cpu: FunctionStat[]; queries: QueryStat[] }> {
    const answer = this.wait("profile");
    this.child.send({ type: "profile-start" } satisfies ToApp);
    await work();
    this.child.send({ type: "profile-stop" } satisfies ToApp);
    const { cpu, queries } = await answer;
    return { cpu, queries: queries.slice(0, 15).map((q) => ({ ...q, totalMs: round(q.totalMs, 1) })) };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ type: "stop" } satisfies ToApp);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private ask<K extends FromApp["type"]>(message: ToApp, type: K): Promise<Extract<FromApp, { type: K }>> {
    const answer = this.wait(type);
    this.child.send(message);
    return answer;
  }

  private wait<K extends FromApp["type"]>(type: K): Promise<Extract<FromApp, { type: K }>> {
    return new Promise((resolve, reject) => {
      const died = (code: number | null) =>
        reject(new Error(`the app exited (${code}) while the bench waited:\n${this.stderr.join("")}`));
      const listener = (message: FromApp) => {
        if (message.type !== type) return;
        this.child.off("message", listener);
        this.child.off("exit", died);
        resolve(message as Extract<FromApp, { type: K }>);
      };
      this.child.on("message", listener);
      this.child.once("exit", died);
    });
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
