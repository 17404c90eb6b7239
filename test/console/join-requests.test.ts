import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startConsole, type ConsoleApp } from "../../src/console/console-app";

describe("a join request in the console", () => {
  let dir: string;
  let app: ConsoleApp;
  let output: string[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "roster-console-"));
    output = [];
    app = await startConsole({
      env: { DATABASE_URL: `sqlite:${path.join(dir, "roster.sqlite")}` },
      color: false,
      print: (text) => output.push(text),
      quietMs: 100,
    });
  });

  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function type(line: string): Promise<string> {
    output.length = 0;
    await app.session.handle(line);
    return output.join("\n");
  }

  it("sets a team to approval, asks to join as someone else, approves, and shows the card change", async () => {
    await type("/team create Platform");
    expect(await type("/team set Platform policy=approval")).toContain("policy open → approval");
    await type("as @dave");
    const asked = await type("/team join Platform");
    expect(asked).toContain("(Roster sent @alice a DM; `as @alice` to read it)");
    expect(asked).toContain(
      "⏳ Platform needs an admin's approval, so you asked to join. It went to @alice to approve or deny.",
    );
    expect(await type("/team join Platform")).toContain(
      "⏳ Your request to join Platform is still waiting for an admin",
    );

    const card = await type("as @alice");
    expect(card).toContain(
      "While you were away:\nRoster · DM from Roster\n  🔔 @dave asks to join Platform.",
    );
    expect(card).toContain("[1] Approve  [2] Deny");

    const approved = await type("press 1");
    expect(approved).toContain("Roster · DM from Roster (updated)\n  🔔 @dave asks to join Platform.");
    expect(approved).toMatch(/✅ Approved by @alice · \d{4}-\d\d-\d\d/);
    expect(approved).not.toContain("[1] Approve");
    expect(approved).toContain("(Roster sent @dave a DM; `as @dave` to read it)");

    expect(await type("as @dave")).toContain(
      "✅ @alice approved your request to join Platform; you're a member now.",
    );
    const info = await type("/team info Platform");
    expect(info).toContain("Members: 2 active members");
    expect(info).toContain("Your role: member");
  });
});
