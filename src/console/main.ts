import { existsSync } from "node:fs";
import { clearLine, createInterface, cursorTo } from "node:readline";
import { ConfigError } from "../config";
import { startConsole } from "./console-app";
import { paint } from "./render";

/** `npm run console`: the real Roster app, driven from the terminal with no Slack workspace. */
async function main(): Promise<void> {
  const tty = process.stdout.isTTY === true;
  let busy = true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  // The iterator is taken at once so that lines piped in while the app starts are kept, not lost.
  const lines = rl[Symbol.asyncIterator]();
  // Messages can arrive while the prompt waits (a Home refresh, a reply after a slow ack).
  const print = (text: string) => {
    if (busy || !tty) return void process.stdout.write(`${text}\n`);
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    process.stdout.write(`${text}\n`);
    rl.prompt(true);
  };
  // The configuration `npm start` would use: the environment, after an optional .env file.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const app = await startConsole({ env: process.env, color: tty, print });
  const { session } = app;
  const bold = (text: string) => paint(tty, "bold", text);
  print(
    [
      `${bold("Roster console")}: the real Roster app, with Slack played by a local stand-in.`,
      `Database: ${app.config.DATABASE_URL}${app.applied.length ? ` (migrated: ${app.applied.length})` : ""}`,
      `You are ${bold(`@${session.userName}`)}, a workspace admin; @bob, @carol and @dave are here too. Try:`,
      `  /team create Platform`,
      `  /team info Platform     then press a button by its number`,
      `  as @bob                 and see it as someone else`,
      `Type ${bold("help")} for more, ${bold("quit")} to leave.`,
    ].join("\n"),
  );
  rl.setPrompt(session.prompt());
  rl.on("SIGINT", () => rl.close());
  busy = false;
  rl.prompt();
  for await (const line of { [Symbol.asyncIterator]: () => lines }) {
    busy = true;
    if (!tty) process.stdout.write(`${line}\n`);
    const outcome = await session.handle(line).catch((error: unknown) => {
      print(`Something went wrong in the console: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    if (outcome === "quit") break;
    busy = false;
    rl.setPrompt(session.prompt());
    rl.prompt();
  }
  busy = true;
  rl.close();
  process.stdout.write("\n");
  await app.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
