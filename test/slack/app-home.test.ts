import { beforeEach, describe, expect, it } from "vitest";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { appHomeOpened, blockActions, eventCallback } from "../../src/stand-in/slack-payloads";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

interface Block {
  type: string;
  text?: { text: string };
  accessory?: { action_id: string; value: string };
  elements?: { action_id: string; value: string }[];
}

describe.each(testDatabases())("App Home on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  beforeEach(() => {
    world = testWorld();
  });

  const openHome = async (userId: string) => {
    await postToSlackApp(world.url, SIGNING_SECRET, {
      json: eventCallback({ workspaceId: world.workspaceId, event: appHomeOpened(userId) }),
    });
    // Events are acked before they are handled: wait for the publish.
    for (let i = 0; i < 50 && !world.slack.homeOf(userId); i++) await new Promise((r) => setTimeout(r, 20));
    return homeBlocks(userId);
  };
  const homeBlocks = (userId: string) => (world.slack.homeOf(userId)?.blocks ?? []) as Block[];
  const homeText = (userId: string) => JSON.stringify(homeBlocks(userId));
  const pressInHome = (userId: string, actionId: string, value: string) =>
    postToSlackApp(world.url, SIGNING_SECRET, {
      payload: blockActions({
        workspaceId: world.workspaceId,
        userId,
        actionId,
        value,
        view: { id: "VHOME1", type: "home", blocks: homeBlocks(userId) },
        container: { type: "view", view_id: "VHOME1" },
      }),
    });

  it("shows a newcomer how to start, and a member their teams with role and status", async () => {
    const alice = world.person("UALICE1");
    expect(JSON.stringify(await openHome(alice))).toContain("You're not in any team yet");
    await world.command(alice, 'create "AI Platform" description="Models"');
    await world.command(alice, "create Search");
    await world.roster.deps.home.flush();
    const text = homeText(alice);
    expect(text).toContain("*AI Platform* · owner · 1 member");
    expect(text).toContain("*Search* · owner");
  });

  it("republishes the Home of someone a command touched", async () => {
    const alice = world.person("UALICE1");
    const bob = world.person("UBOB1");
    await world.command(alice, "create Platform");
    await openHome(bob);
    expect(homeText(bob)).toContain("not in any team");
    await world.command(alice, `add Platform <@${bob}> role=admin`);
    await world.roster.deps.home.flush();
    expect(homeText(bob)).toContain("*Platform* · admin");
  });

  it("republishes no Home after a command that only shows something, or one refused", async () => {
    const alice = world.person("UALICE1");
    const bob = world.person("UBOB1");
    await world.command(alice, "create Platform");
    await world.roster.deps.home.flush();
    const published = () => world.slack.callsTo("views.publish").length;
    const before = published();
    await world.command(alice, "info Platform");
    await world.command(alice, `members Platform`);
    await world.command(bob, `role Platform <@${alice}> member`);
    await world.roster.deps.home.flush();
    expect(published()).toBe(before);
    await world.command(alice, `add Platform <@${bob}>`);
    await world.roster.deps.home.flush();
    expect(published()).toBe(before + 2);
  });

  it("opens the create form from the Home button, and a team's details in a modal", async () => {
    const alice = world.person("UALICE1");
    await world.command(alice, 'create "AI Platform"');
    await openHome(alice);
    await pressInHome(alice, "home_create_team", "create");
    const teamButton = homeBlocks(alice).find((b) =>
      b.accessory?.action_id.startsWith("team_run_command:team-"),
    )?.accessory;
    expect(teamButton?.value).toBe('info "AI Platform"');
    await pressInHome(alice, teamButton!.action_id, teamButton!.value);
    for (let i = 0; i < 50 && world.slack.callsTo("views.open").length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    const opened = world.slack
      .callsTo("views.open")
      .map((c) => c.args.view as { callback_id?: string; blocks: unknown[] });
    expect(opened[0].callback_id).toBe("team_create_modal");
    expect(JSON.stringify(opened[1].blocks)).toContain("AI Platform");
    expect(JSON.stringify(opened[1].blocks)).toContain("<@UALICE1>");
  });
});
