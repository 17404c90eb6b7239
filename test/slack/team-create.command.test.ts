import { beforeEach, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackWorld } from "../support/slack-app";

describe.each(testDatabases())("/team create, info and list on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  beforeEach(() => {
    world = testWorld();
  });

  it("creates a team from arguments and answers privately in the ack", async () => {
    const alice = world.person("UALICE1");
    const answer = await world.command(
      alice,
      'create "AI Platform" policy=approval description="Models and evals"',
    );
    expect(answer.status).toBe(200);
    expect(answer.json?.response_type).toBe("ephemeral");
    expect(answer.json?.text).toBe("Created AI Platform; you're its owner.");
    const info = await world.command(alice, 'info "ai platform"');
    expect(info.json?.text).toContain("AI Platform: owner <@UALICE1>, 1 member");
    expect(JSON.stringify(info.json?.blocks)).toContain("Approval: admins approve requests");
  });

  it("opens the create form when given no arguments", async () => {
    const alice = world.person("UALICE1");
    const answer = await world.command(alice, "create");
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    const [open] = world.slack.callsTo("views.open");
    expect((open.args.view as { callback_id: string }).callback_id).toBe("team_create_modal");
  });

  it("answers a bad command with one sentence and changes nothing", async () => {
    const alice = world.person("UALICE1");
    const answer = await world.command(alice, "create Platform policy=sometimes");
    expect(answer.json?.text).toMatch(/policy/);
    const list = await world.command(alice, "list");
    expect(list.json?.text).toBe("No teams match.");
  });
});
