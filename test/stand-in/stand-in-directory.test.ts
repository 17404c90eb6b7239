import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackStandIn, STAND_IN_BOT_USER_ID } from "../../src/stand-in/slack-stand-in";
import { clientFor, slackError, startStandIn } from "./stand-in-fixture";

let slack: SlackStandIn;
let client: WebClient;

beforeEach(async () => {
  slack = await startStandIn();
  client = clientFor(slack);
});

afterEach(async () => {
  await slack.stop();
});

describe("directory", () => {
  it("answers users.info and users.lookupByEmail in Slack's shape", async () => {
    const info = await client.users.info({ user: "U0ALICE" });
    expect(info.user).toMatchObject({
      id: "U0ALICE",
      team_id: "T0ROSTER",
      name: "alice",
      real_name: "Alice Liddell",
      deleted: false,
      is_admin: true,
      is_owner: false,
      is_bot: false,
      tz: "UTC",
      profile: { email: "alice@example.com", real_name: "Alice Liddell", display_name: "alice" },
    });
    const byEmail = await client.users.lookupByEmail({ email: "BOB@example.com" });
    expect(byEmail.user?.id).toBe("U0BOB");

    await expect(client.users.info({ user: "U0NOBODY" })).rejects.toMatchObject(slackError("user_not_found"));
    await expect(client.users.lookupByEmail({ email: "nobody@example.com" })).rejects.toMatchObject(
      slackError("users_not_found"),
    );
  });

  it("opens one stable DM per user", async () => {
    const first = await client.conversations.open({ users: "U0ALICE" });
    const again = await client.conversations.open({ users: "U0ALICE" });
    expect(first).toMatchObject({ ok: true, channel: { id: "DU0ALICE" } });
    expect(again).toMatchObject({ ok: true, no_op: true, already_open: true, channel: { id: "DU0ALICE" } });
    await expect(client.conversations.open({ users: "U0GONE" })).rejects.toMatchObject(
      slackError("user_disabled"),
    );
  });

  it("pages conversations.members with next_cursor", async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `U0P${i}`);
    slack.addChannel({ id: "C0BIG", name: "big", members: ids });

    const first = await client.conversations.members({ channel: "C0BIG", limit: 3 });
    expect(first.members).toEqual(ids.slice(0, 3));
    expect(first.response_metadata?.next_cursor).not.toBe("");

    const all: string[] = [];
    for await (const page of client.paginate("conversations.members", { channel: "C0BIG", limit: 3 })) {
      all.push(...((page as { members?: string[] }).members ?? []));
    }
    expect(all).toEqual(ids);
    await expect(
      client.conversations.members({ channel: "C0BIG", cursor: "bm9wZQ==" }),
    ).rejects.toMatchObject(slackError("invalid_cursor"));
  });

  it("invites like Slack: the bot must be in the channel, and only all-present is already_in_channel", async () => {
    slack.addChannel({ id: "C0NOBOT", name: "no-bot", members: [] });
    await expect(client.conversations.invite({ channel: "C0NOBOT", users: "U0BOB" })).rejects.toMatchObject(
      slackError("not_in_channel"),
    );
    await client.conversations.join({ channel: "C0NOBOT" });
    await client.conversations.invite({ channel: "C0NOBOT", users: "U0BOB" });

    const mixed = await client.conversations.invite({ channel: "C0TEAM", users: "U0ALICE,U0BOB" });
    expect(mixed.ok).toBe(true);
    expect(slack.channels.get("C0TEAM")?.members).toEqual([STAND_IN_BOT_USER_ID, "U0ALICE", "U0BOB"]);
    await expect(
      client.conversations.invite({ channel: "C0TEAM", users: "U0ALICE,U0BOB" }),
    ).rejects.toMatchObject(slackError("already_in_channel"));

    await client.conversations.kick({ channel: "C0TEAM", user: "U0BOB" });
    expect(slack.channels.get("C0TEAM")?.members).not.toContain("U0BOB");
    await expect(client.conversations.kick({ channel: "C0TEAM", user: "U0BOB" })).rejects.toMatchObject(
      slackError("not_in_channel"),
    );
  });

  it("manages user groups on a paid plan and refuses them on a free one", async () => {
    const created = await client.usergroups.create({ name: "Platform", handle: "platform" });
    const groupId = created.usergroup?.id as string;
    await client.usergroups.users.update({ usergroup: groupId, users: "U0ALICE,U0BOB" });
    await client.usergroups.update({ usergroup: groupId, description: "Platform team" });

    expect((await client.usergroups.users.list({ usergroup: groupId })).users).toEqual(["U0ALICE", "U0BOB"]);
    const listed = await client.usergroups.list({ include_users: true });
    expect(listed.usergroups).toMatchObject([
      { id: groupId, handle: "platform", description: "Platform team", users: ["U0ALICE", "U0BOB"] },
    ]);
    await expect(client.usergroups.create({ name: "Platform" })).rejects.toMatchObject(
      slackError("name_already_exists"),
    );

    slack.userGroupsPlan = "free";
    await expect(client.usergroups.list()).rejects.toMatchObject(slackError("paid_teams_only"));
    await expect(client.usergroups.create({ name: "Data" })).rejects.toMatchObject(
      slackError("paid_teams_only"),
    );
  });
});
