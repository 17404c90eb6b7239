import { beforeEach, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

/** What the user sees, and what is logged, when something unexpected fails. */
describe.each(testDatabases())("unexpected failures on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  beforeEach(() => {
    world = testWorld();
  });

  it("answers a failed Slack call with a short apology, no stack trace, and logs it with the request's ids", async () => {
    const alice = world.person("UALICE1");
    world.slack.failNext("views.open", { error: "internal_error" });
    const answer = await world.command(alice, "create");
    expect(answer.status).toBe(200);
    expect(answer.json?.text).toBe(
      ":warning: Something went wrong on our side; please try again in a moment.",
    );
    expect(JSON.stringify(answer.json)).not.toMatch(/Error|at .*\.ts|internal_error/);
    const logged = world.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.msg === "request failed");
    expect(logged).toMatchObject({
      level: 50,
      kind: "command",
      name: "create",
      userId: alice,
      workspaceId: world.workspaceId,
    });
  });

  it("never writes the signing secret or the bot token to the logs", async () => {
    const alice = world.person("UALICE1");
    world.slack.failNext("views.open", { error: "internal_error" });
    await world.command(alice, "create");
    await world.command(alice, "create Logged");
    const all = world.logs.join("\n");
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain("xoxb-test");
  });
});
