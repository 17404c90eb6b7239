import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WebClient } from "@slack/web-api";
import { beforeEach, describe, expect, it } from "vitest";
import type { ConsoleApp } from "../../src/console/console-app";
import { useConsole } from "../support/console";

describe("the console session, on a temporary SQLite file", () => {
  const testConsole = useConsole();
  let app: ConsoleApp;
  let output: string[];

  beforeEach(() => {
    ({ app, output } = testConsole());
  });

  /** Types one line; returns everything printed because of it. */
  const type = (line: string) => testConsole().type(line);

  it("runs /team commands as the current user and switches users with `as`", async () => {
    expect(app.session.prompt()).toBe("alice> ");
    expect(await type("/team create Platform")).toBe(
      [
        "Roster · only you can see this",
        "  ✅ Created Platform; you're its owner.",
        "  Next: `/team add Platform @someone` · `/team set Platform channel=#…` · `/team info Platform`",
      ].join("\n"),
    );
    expect(await type("/team add Platform @bob")).toContain("Added @bob to Platform");
    expect(await type("as @bob")).toBe("You are @bob now (Bob Brown).");
    expect(app.session.prompt()).toBe("bob> ");
    const info = await type("/team info Platform");
    expect(info).toContain("Owner: @alice");
    expect(info).toContain("Members: 2 active members");
    expect(info).toContain("Your role: member");
    expect(await type("as @zed")).toBe("There is no one called @zed here; `users` lists everyone.");
    expect(app.session.prompt()).toBe("bob> ");
  });

  it("opens the create form with no arguments, fills it and submits it", async () => {
    const opened = await type("/team create");
    expect(opened).toContain("╭─ Create a team");
    expect(opened).toContain("│ Name * [name]: ‹empty›");
    expect(await type("submit")).toContain("⚠ Please complete this required field.");
    expect(app.standIn.callsTo("chat.postMessage")).toHaveLength(0);

    expect(await type("fill name Research")).toBe("✓ Name: Research");
    expect(await type("fill who can join approval")).toBe("✓ Who can join: Anyone, once an admin approves");
    const submitted = await type("submit");
    expect(submitted).toContain("(form closed)");
    expect(submitted).toContain("Roster · DM from Roster\n  ✅ Created Research; you're its owner.");
    const info = await type("/team info Research");
    expect(info).toContain("Owner: @alice");
    expect(info).toContain("Joining: Approval: admins approve requests");
    expect(await type("submit")).toBe("No form is open.");
  });

  it("shows the app's refusal of a submitted form under the field, and keeps the form open", async () => {
    await type("/team create Platform");
    await type("/team create");
    await type("fill name PLATFORM");
    const refused = await type("submit");
    expect(refused).toContain("│ Name * [name]: PLATFORM");
    expect(refused).toMatch(/│ {5}⚠ A team called “PLATFORM” already exists/);
    expect(await type("cancel")).toBe("(form closed; nothing was sent)");
    expect(await type("/team list")).toContain("Page 1 of 1 · 1 team");
  });

  it("presses numbered buttons: Next and Previous page through /team list in place", async () => {
    for (let i = 1; i <= 21; i += 1) await type(`/team create Team${String(i).padStart(2, "0")}`);
    const first = await type("/team list");
    expect(first).toContain("Page 1 of 2 · 21 teams");
    expect(first).toContain("[1] Next ▶");
    expect(first).not.toContain("Team21");

    const next = await type("press 1");
    expect(next).toContain("Roster · only you can see this (updated)");
    expect(next).toContain("Team21");
    expect(next).toContain("Page 2 of 2 · 21 teams");
    expect(next).toContain("[1] ◀ Previous");
    expect(app.standIn.responses.at(-1)?.body).toMatchObject({ replace_original: true });

    expect(await type("1")).toContain("Page 1 of 2");
    expect(await type("press 7")).toBe("There is no button 7 on screen.");
  });

  it("opens the App Home and presses its buttons", async () => {
    await type("/team create Platform");
    const home = await type("home");
    expect(home).toContain("╭─ Roster · Home");
    expect(home).toMatch(/Platform · owner · 1 member/);
    expect(home).toContain("[1] Create a team");
    const form = await type("1");
    expect(form).toContain("╭─ Create a team");
  });

  it("keeps a DM to someone else until the console becomes them", async () => {
    // What the app does when it tells someone something: a chat.postMessage to their user ID.
    const client = new WebClient("xoxb-console", {
      slackApiUrl: app.standIn.apiUrl,
      retryConfig: { retries: 0 },
    });
    await client.chat.postMessage({ channel: "UBOB", text: "You were added to *Platform* by <@UALICE>." });
    await expect.poll(() => output.join("\n")).toContain("(Roster sent @bob a DM; `as @bob` to read it)");
    expect(output.join("\n")).not.toContain("You were added");
    const away = await type("as @bob");
    expect(away).toBe(
      [
        "You are @bob now (Bob Brown).",
        "While you were away:",
        "Roster · DM from Roster",
        "  You were added to Platform by @alice.",
      ].join("\n"),
    );
  });
});

describe("npm run console", () => {
  it("starts, answers commands typed on stdin, and exits cleanly on quit", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "roster-console-"));
    try {
      const child = spawn("npx", ["tsx", "src/console/main.ts"], {
        cwd: path.resolve(__dirname, "../.."),
        env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, "data", "roster.sqlite")}` },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end("/team create Platform\n/team tree Platform\nquit\n");
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(stderr.replace(/^npm warn.*\n?/gm, "")).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("You are @alice");
      expect(stdout).toContain(
        "alice> /team create Platform\nRoster · only you can see this\n  ✅ Created Platform; you're its owner.",
      );
      expect(stdout).toContain("alice> /team tree Platform\nRoster · only you can see this\n  Platform");
      expect(stdout).toContain("alice> quit");
      expect(stdout).not.toContain("\u001b[");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
