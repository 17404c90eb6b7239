import { beforeEach, describe, expect, it } from "vitest";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import { blockActions, eventCallback, teamJoin, viewSubmission } from "../../src/stand-in/slack-payloads";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

interface Button {
  action_id: string;
  value: string;
}
interface Block {
  type: string;
  text?: { text: string };
  elements?: Button[];
}

const DAY = 86_400_000;

describe.each(testDatabases())("invitations through Slack on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let alice: string;
  beforeEach(async () => {
    world = testWorld();
    alice = world.person("UALICE1");
    await world.command(alice, "create Platform");
  });

  const dms = (userId: string) => world.slack.messagesTo(userId);
  const buttons = (blocks: unknown[] | undefined) =>
    ((blocks ?? []) as Block[]).flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []));
  const buttonIn = (blocks: unknown[] | undefined, family: string) => {
    const found = buttons(blocks).find((b) => b.action_id.startsWith(`${family}:`));
    if (!found) throw new Error(`no ${family} button in ${JSON.stringify(blocks)}`);
    return found;
  };
  /** Presses a button on a DM the app sent, as Slack reports it (the DM's channel and ts). */
  const pressOnDm = (userId: string, message: StandInMessage, family: string) => {
    const { action_id, value } = buttonIn(message.blocks, family);
    return world.press(userId, action_id, value, { ts: message.ts, channel: message.conversation });
  };
  const roleOf = async (userId: string, team = "Platform") => {
    const { members } = await world.roster.services.members.list(
      { workspaceId: world.workspaceId, userId: alice },
      team,
    );
    return members.find((m) => m.userId === userId)?.role.name;
  };
  const pendingRows = async () =>
    (
      await world.roster.services.invitations.pending(
        { workspaceId: world.workspaceId, userId: alice },
        "Platform",
      )
    ).invitations;
  const lastResponse = () =>
    world.slack.responses.at(-1)?.body as { text: string; replace_original?: boolean };
  const teamJoined = (id: string, email: string) =>
    postToSlackApp(world.url, SIGNING_SECRET, {
      json: eventCallback({
        workspaceId: world.workspaceId,
        event: teamJoin({ id, name: id.toLowerCase(), email }, world.workspaceId),
      }),
    });

  it("invites by mention and by email; the invitee accepts from the DM and becomes a member with the role", async () => {
    const bob = world.person("UBOB1");
    const carol = world.person("UCAROL1", { email: "carol@example.com" });
    const answer = await world.command(
      alice,
      `invite Platform <@${bob}> <mailto:Carol@Example.com|Carol@Example.com> role=admin`,
    );
    expect(answer.json?.text).toBe(
      `Invited <@${bob}> and <@${carol}> to Platform as admin: a DM with Accept and Decline is on its way.`,
    );
    const [dm] = dms(bob);
    expect(dm.text).toBe(`<@${alice}> invited you to join Platform as admin.`);
    expect(buttons(dm.blocks).map((b) => b.action_id)).toEqual([
      "invitation_accept:dm",
      "invitation_decline:dm",
    ]);
    expect(dms(carol)).toHaveLength(1);

    await pressOnDm(bob, dm, "invitation_accept");
    await expect.poll(() => roleOf(bob)).toBe("admin");
    await expect.poll(() => dms(bob)[0].text).toBe("You joined Platform as admin.");
    expect(buttons(dms(bob)[0].blocks)).toEqual([]);
    await world.roster.deps.home.flush();
    expect(JSON.stringify(world.slack.homeOf(bob)?.blocks)).toContain("*Platform* · admin");

    await pressOnDm(carol, dms(carol)[0], "invitation_decline");
    await expect.poll(() => dms(carol)[0].text).toBe("Declined: you did not join Platform.");
    expect(await roleOf(carol)).toBeUndefined();
    expect(await pendingRows()).toEqual([]);
  });

  it("keeps an email invitation pending until that person joins the workspace, then DMs it", async () => {
    const answer = await world.command(alice, "invite Platform <mailto:dana@example.com|dana@example.com>");
    expect(answer.json?.text).toBe(
      "dana@example.com is not in this workspace yet: the invitation waits and reaches them when they join.",
    );
    const list = await world.command(alice, "invites Platform");
    expect(JSON.stringify(list.json?.blocks)).toContain(
      "dana@example.com · member · _not in the workspace yet_",
    );

    const dana = world.person("UDANA1", { email: "dana@example.com" });
    expect((await teamJoined(dana, "dana@example.com")).status).toBe(200);
    await expect.poll(() => dms(dana).length).toBe(1);
    expect(dms(dana)[0].text).toBe(`<@${alice}> invited you to join Platform as member.`);
    // Slack redelivers an event it thinks was missed (with a new id here): nothing left to send.
    await teamJoined(dana, "dana@example.com");
    await pressOnDm(dana, dms(dana)[0], "invitation_accept");
    await expect.poll(() => roleOf(dana)).toBe("member");
    expect(dms(dana)).toHaveLength(1);
  });

  it("says who is already a member, and renews a second invite instead of doubling it", async () => {
    const [bob, carol] = [world.person("UBOB1"), world.person("UCAROL1")];
    await world.command(alice, `add Platform <@${bob}>`);
    const member = await world.command(alice, `invite Platform <@${bob}>`);
    expect(member.json?.text).toBe(`<@${bob}> is already a member of Platform; no invitation sent.`);
    expect(dms(bob)).toHaveLength(0);

    await world.command(alice, `invite Platform <@${carol}>`);
    const firstExpiry = (await pendingRows())[0].expiresAt;
    world.clock.advance(DAY);
    const again = await world.command(alice, `invite Platform <@${carol}> role=admin`);
    expect(again.json?.text).toMatch(
      new RegExp(
        `^<@${carol}> already had a pending invitation: renewed as admin until .* and sent again rather than doubled\\.$`,
      ),
    );
    const rows = await pendingRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].expiresAt).toBe(firstExpiry + DAY);
    const [older, newer] = dms(carol);
    expect(older.text).toBe("This invitation to Platform was sent again; answer the newer message below.");
    expect(buttons(older.blocks)).toEqual([]);
    await pressOnDm(carol, newer, "invitation_accept");
    // The second invite asked for admin: the renewed invitation carries it.
    await expect.poll(() => roleOf(carol)).toBe("admin");
  });

  it("lists pending invitations with Resend (a new DM, later expiry) and Revoke (the DM says so)", async () => {
    const [bob, carol] = [world.person("UBOB1"), world.person("UCAROL1")];
    await world.command(alice, `invite Platform <@${bob}> <@${carol}>`);
    const list = await world.command(alice, "invites Platform");
    expect(list.json?.text).toBe("Platform: 2 pending invitations, page 1 of 1.");
    const before = new Map((await pendingRows()).map((r) => [r.inviteeUserId, r.expiresAt]));
    const bobsId = String((await pendingRows()).find((r) => r.inviteeUserId === bob)?.id);
    const rowButtons = buttons(list.json?.blocks).filter((b) => b.value === bobsId);
    expect(rowButtons.map((b) => b.action_id)).toEqual(["invitation_resend:p1", "invitation_revoke:p1"]);

    world.clock.advance(3 * DAY);
    const responses = world.slack.responses.length;
    await world.press(alice, "invitation_resend:p1", bobsId);
    await expect.poll(() => world.slack.responses.length).toBe(responses + 1);
    expect(lastResponse().replace_original).toBe(true);
    expect(JSON.stringify(lastResponse())).toContain(`Sent <@${bob}>'s invitation again; it now expires`);
    expect(dms(bob)).toHaveLength(2);
    const renewed = (await pendingRows()).find((r) => r.inviteeUserId === bob);
    expect(renewed?.expiresAt).toBe((before.get(bob) ?? 0) + 3 * DAY);

    const carolsId = String((await pendingRows()).find((r) => r.inviteeUserId === carol)?.id);
    await world.press(alice, "invitation_revoke:p1", carolsId);
    await expect.poll(() => dms(carol)[0].text).toBe("Your invitation to Platform was revoked by an admin.");
    await expect.poll(() => lastResponse().text).toBe("Platform: 1 pending invitation, page 1 of 1.");
    expect(JSON.stringify(lastResponse())).toContain(`Revoked <@${carol}>'s invitation`);
    // The revoked DM has no buttons left, and a stale press is refused privately.
    expect(buttons(dms(carol)[0].blocks)).toEqual([]);
    const count = world.slack.responses.length;
    await world.press(carol, "invitation_accept:dm", carolsId, {
      ts: dms(carol)[0].ts,
      channel: dms(carol)[0].conversation,
    });
    await expect.poll(() => world.slack.responses.length).toBe(count + 1);
    expect(lastResponse().text).toBe(":no_entry_sign: That invitation was already revoked; nothing changed.");
    expect(await roleOf(carol)).toBeUndefined();
  });

  it("opens the invite form and invites the people, emails and role submitted", async () => {
    const [bob, erin] = [world.person("UBOB1"), world.person("UERIN1", { email: "erin@example.com" })];
    expect((await world.command(alice, "invite Platform")).text).toBe("");
    const [open] = world.slack.callsTo("views.open");
    const view = open.args.view as {
      callback_id: string;
      blocks: { block_id: string; element: { initial_value?: string } }[];
    };
    expect(view.callback_id).toBe("team_invite_modal");
    expect(view.blocks.find((b) => b.block_id === "team")?.element.initial_value).toBe("Platform");

    const submit = (values: { team: string; users: string[]; emails: string; role: string }) =>
      postToSlackApp(world.url, SIGNING_SECRET, {
        payload: viewSubmission({
          workspaceId: world.workspaceId,
          userId: alice,
          view: {
            id: "VINVITE1",
            callback_id: "team_invite_modal",
            private_metadata: "",
            blocks: view.blocks,
            state: {
              values: {
                team: { value: { type: "plain_text_input", value: values.team } },
                users: { value: { type: "multi_users_select", selected_users: values.users } },
                emails: { value: { type: "plain_text_input", value: values.emails } },
                role: { value: { type: "static_select", selected_option: { value: values.role } } },
              },
            },
          },
        }),
      });
    const owner = await submit({ team: "Platform", users: [bob], emails: "", role: "owner" });
    expect(owner.json).toMatchObject({
      response_action: "errors",
      errors: { role: expect.stringMatching(/exactly one owner/) },
    });
    const badEmail = await submit({ team: "Platform", users: [bob], emails: "erin@", role: "admin" });
    expect(badEmail.json).toMatchObject({
      response_action: "errors",
      errors: { emails: "“erin@” is not an email address." },
    });
    const noTeam = await submit({ team: "Nowhere", users: [bob], emails: "", role: "admin" });
    expect(Object.keys((noTeam.json as { errors: object }).errors)).toEqual(["team"]);
    expect(await pendingRows()).toEqual([]);

    const ok = await submit({
      team: "platform",
      users: [bob],
      emails: "erin@example.com,\nfay@example.com",
      role: "admin",
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("");
    await expect.poll(() => dms(alice).length).toBe(1);
    expect(dms(alice)[0].text).toContain(`Invited <@${bob}> and <@${erin}> to Platform as admin`);
    expect(dms(alice)[0].text).toContain("fay@example.com is not in this workspace yet");
    expect(dms(bob)).toHaveLength(1);
    expect(dms(erin)).toHaveLength(1);
    const rows = await pendingRows();
    expect(rows.map((r) => [r.inviteeUserId ?? r.inviteeEmail, r.role.name]).sort()).toEqual(
      [
        [bob, "admin"],
        [erin, "admin"],
        ["fay@example.com", "admin"],
      ].sort(),
    );
  });

  it("invites 30 people as admin in one command", async () => {
    const crowd = Array.from({ length: 30 }, (_, i) => world.person(`UCROWD${i}`));
    const answer = await world.command(
      alice,
      `invite Platform ${crowd.map((u) => `<@${u}>`).join(" ")} role=admin`,
    );
    expect(answer.json?.text).toMatch(
      /^Invited <@UCROWD0>, <@UCROWD1>, .* and <@UCROWD29> to Platform as admin:/,
    );
    for (const user of crowd) expect(dms(user)).toHaveLength(1);
    const rows = await pendingRows();
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.role.name))).toEqual(new Set(["admin"]));
  });

  it("settles ten concurrent Accept presses once, and accepts from the App Home", async () => {
    const [bob, carol] = [world.person("UBOB1"), world.person("UCAROL1")];
    await world.command(alice, `invite Platform <@${bob}> <@${carol}>`);
    const dm = dms(bob)[0];
    await Promise.all(Array.from({ length: 10 }, () => pressOnDm(bob, dm, "invitation_accept")));
    await expect.poll(() => world.slack.responses.length).toBe(9);
    expect(new Set(world.slack.responses.map((r) => (r.body as { text: string }).text))).toEqual(
      new Set([":no_entry_sign: That invitation was already accepted; nothing changed."]),
    );
    expect(await roleOf(bob)).toBe("member");
    expect(world.slack.callsTo("chat.update").filter((c) => c.args.channel === dm.conversation)).toHaveLength(
      1,
    );

    await world.roster.deps.home.publish(world.workspaceId, carol);
    const home = world.slack.homeOf(carol);
    const accept = buttonIn(home?.blocks as unknown[] | undefined, "invitation_accept");
    await postToSlackApp(world.url, SIGNING_SECRET, {
      payload: blockActions({
        workspaceId: world.workspaceId,
        userId: carol,
        actionId: accept.action_id,
        value: accept.value,
        view: { id: "VHOME1", type: "home", blocks: (home?.blocks ?? []) as unknown[] },
        container: { type: "view", view_id: "VHOME1" },
      }),
    });
    await expect.poll(() => roleOf(carol)).toBe("member");
    await expect.poll(() => dms(carol)[0].text).toBe("You joined Platform as member.");
    await expect
      .poll(() => JSON.stringify(world.slack.homeOf(carol)?.blocks))
      .toContain("*Platform* · member");
    expect(JSON.stringify(world.slack.homeOf(carol)?.blocks)).not.toContain("invitation_accept");
  });

  it("answers bad input and missing permission with one sentence, inviting nobody", async () => {
    const [bob, carol] = [world.person("UBOB1"), world.person("UCAROL1")];
    await world.command(alice, `add Platform <@${bob}>`);
    const refused = await world.command(bob, `invite Platform <@${carol}>`);
    expect(refused.json?.text).toBe(
      ":no_entry_sign: You need the invites:manage permission in Platform to invite people to Platform; ask the team's owner or an admin.",
    );
    const stray = await world.command(alice, `invite Platform <@${carol}> soon`);
    expect(stray.json?.text).toMatch(
      /^:no_entry_sign: Unexpected “soon”; name people as @mentions or email addresses:/,
    );
    const noTeam = await world.command(alice, `invite <@${carol}>`);
    expect(noTeam.json?.text).toMatch(/Name the team/);
    const list = await world.command(bob, "invites Platform");
    expect(list.json?.text).toMatch(/invites:manage/);
    expect(await pendingRows()).toEqual([]);
    expect(dms(carol)).toHaveLength(0);
  });
});
