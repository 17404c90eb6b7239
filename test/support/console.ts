import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConsoleApp, startConsole } from "../../src/console/console-app";
import { perTest } from "./fixtures";

export interface ConsoleWorld {
  app: ConsoleApp;
  /** The folder of its SQLite file, removed after the test. */
  dir: string;
  /** Everything printed since the last `type`. */
  output: string[];
  /** Types one line; returns everything printed because of it. */
  type(line: string): Promise<string>;
}

/**
 * The console (colourless) on a SQLite file of its own, started before each test of the block and
 * closed after it, its file removed. Returns a getter, valid inside the block's hooks and tests.
 */
export function useConsole(): () => ConsoleWorld {
  return perTest(
    "the console",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "roster-console-"));
      const output: string[] = [];
      const app = await startConsole({
        env: { DATABASE_URL: `sqlite:${path.join(dir, "roster.sqlite")}` },
        color: false,
        print: (text) => output.push(text),
        quietMs: 100,
      });
      return {
        app,
        output,
        dir,
        async type(line: string) {
          output.length = 0;
          await app.session.handle(line);
          return output.join("\n");
        },
      };
    },
    async ({ app, dir }) => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );
}
