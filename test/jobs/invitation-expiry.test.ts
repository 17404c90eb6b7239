import { beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { handleInvitationExpiry } from "../../src/jobs/invitation-expiry.job";
import { INVITATION_ACCEPT } from "../../src/slack/action-ids";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import { type SlackWorld, slackWorld } from "../support/slack-app";

const DAY = 86_400_000;
/**
 * Tests on MySQL share one database, and the job expires every workspace's due invitations: the
 * clock starts long ago, so this job never reaches the invitations of tests running meanwhile.
 */
const LONG_AGO = Date.UTC(2001, 4, 7, 10, 0, 0);

describe.each(testDatabases())("expiring invitations on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let db: Database;
  let world: SlackWorld;
  // IDs of their own in each test: a DM is recorded by channel and ts, and the stand-in numbers
  // its messages the same way in every world.
  let alice: string;
  let bob: string;
  let carol: string;

  beforeEach(async () => {
    world = testWorld();
    db = world.db;
    world.clock.set(LONG_AGO);
    [alice, bob, carol] = [newUserId("alice"), newUserId("bob"), newUserId("carol")].map((id) =>
      world.person(id),
    );
    expect((await world.command(alice, "create Platform")).json?.text).toContain("Created Platform");
  });

  const run = (on: SlackWorld = world) => handleInvitationExpiry(on.roster.deps, on.roster.app.client);
  const invite = async (who: string) => {
    const answer = await world.command(alice, `invite Platform ${who}`);
    expect(answer.json?.text ?? "", "the invite went out").toMatch(/invit/i);
  };
  const pending = async () =>
    (
      await world.roster.services.invitations.pending(
        { workspaceId: world.workspaceId, userId: alice },
        "Platform",
      )
    ).invitations;
  const expiries = async () => {
    const page = await world.roster.services.audit.activity(
      { workspaceId: world.workspaceId, userId: alice },
      "Platform",
      { sinceDays: 30, pageSize: 100 },
    );
    return page.events.filter((e) => e.action === "invitation.expired");
  };
  const dmOf = (userId: string) => {
    const [dm] = world.slack.messagesTo(userId);
    expect(dm, `${userId} got an invitation DM`).toBeDefined();
    return dm;
  };

  it("expires an invitation after INVITE_TTL_DAYS, updates its DM, and refuses Accept after", async () => {
    await invite(`<@${bob}>`);
    const [invitation] = await pending();
    expect(JSON.stringify(dmOf(bob).blocks)).toContain(`${INVITATION_ACCEPT}:dm`);

    world.clock.advance(7 * DAY - 60_000);
    expect(await run()).toEqual({ expired: 0, updated: 0, failed: 0 });
    expect(await pending()).toHaveLength(1);

    world.clock.advance(2 * 60_000);
    expect(await run()).toEqual({ expired: 1, updated: 1, failed: 0 });
    expect(await pending()).toEqual([]);
    const dm = dmOf(bob);
    expect(dm.edited).toBe(true);
    expect(dm.text).toBe("Your invitation to Platform expired; ask one of its admins for a new one.");
    expect(JSON.stringify(dm.blocks)).not.toContain(INVITATION_ACCEPT);
    const [audit] = await expiries();
    expect(audit).toMatchObject({
      actorUserId: expect.any(String),
      targetId: bob,
      after: { status: "expired" },
    });

    // A stale button (a DM Slack hadn't refreshed yet) is refused and changes nothing.
    await world.press(bob, `${INVITATION_ACCEPT}:dm`, String(invitation.id));
    await expect
      .poll(() => JSON.stringify(world.slack.responses.at(-1)?.body ?? null))
      .toContain("That invitation was already expired; nothing changed.");
    const members = await world.command(alice, "members Platform");
    expect(JSON.stringify(members.json)).not.toContain(bob.toLowerCase());

    expect(await run()).toEqual({ expired: 0, updated: 0, failed: 0 });
    expect(await expiries()).toHaveLength(1);
    expect(world.slack.callsTo("chat.update")).toHaveLength(1);
  });

  it("expires each invitation once when two processes run the job at the same moment", async () => {
    const second = await slackWorld(db, { sameWorkspaceAs: world });
    try {
      await invite(`<@${bob}> <@${carol}>`);
      world.clock.advance(7 * DAY + 60_000);
      const runs = await Promise.all([run(world), run(second), run(world), run(second)]);
      expect(runs.reduce((sum, r) => sum + r.expired, 0)).toBe(2);
      expect(runs.reduce((sum, r) => sum + r.updated, 0)).toBe(2);
      expect(await expiries()).toHaveLength(2);
      const edits = world.slack.callsTo("chat.update").map((c) => c.args.channel);
      expect(edits.sort()).toEqual([dmOf(bob).conversation, dmOf(carol).conversation].sort());
    } finally {
      await second.close();
    }
  });

  it("expires an email invitation that never had a DM, and one whose DM Slack won't edit", async () => {
    await invite(`<@${bob}> <mailto:newcomer@example.org|newcomer@example.org>`);
    world.clock.advance(8 * DAY);
    world.slack.failNext("chat.update", { error: "fatal_error" });
    expect(await run()).toEqual({ expired: 2, updated: 0, failed: 1 });
    expect(await pending()).toEqual([]);
    expect(await expiries()).toHaveLength(2);
    expect(world.logs.join("\n")).toContain("could not update an expired invitation's DM");
  });

  it("leaves an invitation renewed before its expiry alone", async () => {
    await invite(`<@${bob}>`);
    world.clock.advance(6 * DAY);
    await invite(`<@${bob}>`);
    world.clock.advance(2 * DAY);
    expect(await run()).toEqual({ expired: 0, updated: 0, failed: 0 });
    expect(await pending()).toHaveLength(1);
  });
});
