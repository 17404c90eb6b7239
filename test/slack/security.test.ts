import { beforeEach, describe, expect, it } from "vitest";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { appHomeOpened, eventCallback, slashCommand } from "../../src/stand-in/slack-payloads";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

describe.each(testDatabases())("requests from Slack on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  beforeEach(() => {
    world = testWorld();
  });

  const createCommand = (text: string) => ({
    form: slashCommand({
      workspaceId: world.workspaceId,
      userId: "UALICE1",
      text,
      responseUrl: world.slack.responseUrl(),
    }),
  });
  const teamCount = async () =>
    (await world.roster.services.teams.search({ workspaceId: world.workspaceId, userId: "UALICE1" })).total;

  it("refuses a bad signature with 401 and changes nothing", async () => {
    const answer = await postToSlackApp(world.url, SIGNING_SECRET, createCommand("create Forged"), {
      badSignature: true,
    });
    expect(answer.status).toBe(401);
    expect(await teamCount()).toBe(0);
  });

  it("refuses a request signed with another secret", async () => {
    const answer = await postToSlackApp(world.url, "not-our-secret", createCommand("create Forged"));
    expect(answer.status).toBe(401);
    expect(await teamCount()).toBe(0);
  });

  it.each([
    ["six minutes old", -6 * 60],
    ["six minutes in the future", 6 * 60],
  ])("refuses a timestamp %s (a replay) with 401 and changes nothing", async (_label, offset) => {
    const timestampSeconds = Math.floor(Date.now() / 1000) + offset;
    const answer = await postToSlackApp(world.url, SIGNING_SECRET, createCommand("create Replayed"), {
      timestampSeconds,
    });
    expect(answer.status).toBe(401);
    expect(await teamCount()).toBe(0);
  });

  it("accepts a timestamp four minutes old", async () => {
    const timestampSeconds = Math.floor(Date.now() / 1000) - 4 * 60;
    const answer = await postToSlackApp(world.url, SIGNING_SECRET, createCommand("create Recent"), {
      timestampSeconds,
    });
    expect(answer.status).toBe(200);
    expect(await teamCount()).toBe(1);
  });

  it("never repeats a change when Slack redelivers a command", async () => {
    world.person("UALICE1");
    const body = createCommand("create Once");
    const first = await postToSlackApp(world.url, SIGNING_SECRET, body);
    expect(first.status).toBe(200);
    await world.roster.services.teams.delete({ workspaceId: world.workspaceId, userId: "UALICE1" }, "Once");
    const retry = await postToSlackApp(world.url, SIGNING_SECRET, body, { retryNum: 1 });
    expect(retry.status).toBe(200);
    // Had the retry run, "Once" would exist again.
    expect(await teamCount()).toBe(0);
  });

  it("handles a redelivered event once", async () => {
    world.person("UALICE1");
    const event = eventCallback({
      workspaceId: world.workspaceId,
      event: appHomeOpened("UALICE1"),
      eventId: "Ev0REDELIVER",
    });
    await postToSlackApp(world.url, SIGNING_SECRET, { json: event });
    await postToSlackApp(world.url, SIGNING_SECRET, { json: event }, { retryNum: 1 });
    await postToSlackApp(world.url, SIGNING_SECRET, { json: event }, { retryNum: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(world.slack.callsTo("views.publish")).toHaveLength(1);
  });

  it("answers /healthz with 200 while the database answers", async () => {
    const response = await fetch(world.url.replace("/slack/events", "/healthz"));
    expect(response.status).toBe(200);
  });
});
