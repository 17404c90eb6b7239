import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { DigestJobOptions } from "../../src/jobs/digest.job";
import { digestClaimKey } from "../../src/services/digest-schedule.service";
import { DIGEST_EVENT } from "../../src/slack/digest-delivery";
import { STAND_IN_BOT_USER_ID, type StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId, openAnother, testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";
import { type SlackWorld, slackWorld } from "../support/slack-app";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * Tests on MySQL share one database and the digest sweeps every workspace, so these run in March
 * 2004, where no other test's teams exist. DIGEST_CRON is the default, Mondays 09:00 UTC: this is
 * the Monday it fires, covering the week of March 1 to 7.
 */
const DUE = Date.UTC(2004, 2, 8, 9, 0, 0);
const WEEK_KEY = "2004-03-01";
const LEASE_MS = 5 * MINUTE;
const FAST: DigestJobOptions = {
  leaseMs: LEASE_MS,
  retryLaterMs: MINUTE,
  retry: { attempts: 3, backoffMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 2_000 },
};

describe.each(testDatabases())("the weekly digest's delivery on $name", (kind) => {
  const testDb = useDatabase(kind);
  let db: Database;
  let world: SlackWorld;
  const others: { world: SlackWorld; db: Database }[] = [];
  let alice: string;
  let bob: string;
  let tx = 0;

  beforeEach(async () => {
    db = testDb();
    world = await slackWorld(db, { digest: FAST });
    world.clock.set(DUE - 3 * 24 * HOUR);
    alice = world.person(newUserId("alice"));
    bob = world.person(newUserId("bob"));
  });
  afterEach(async () => {
    for (const other of others.splice(0)) {
      await other.world.close();
      await other.db.close();
    }
    await world.close();
  });

  /** Another copy of the bot, with its own connection to the database: another process. */
  async function anotherProcess(): Promise<SlackWorld> {
    const otherDb = await openAnother(db);
    const other = await slackWorld(otherDb, { sameWorkspaceAs: world, digest: FAST });
    others.push({ world: other, db: otherDb });
    return other;
  }

  /** A team with a channel the bot is in, and some usage in the week the digest covers. */
  async function teamWithChannel(name: string, channel: string): Promise<number> {
    world.slack.addChannel({ id: channel, name: name.toLowerCase(), members: [STAND_IN_BOT_USER_ID, alice] });
    const created = await world.command(alice, `create ${name} channel=<#${channel}|${name.toLowerCase()}>`);
    expect(created.status).toBe(200);
    expect(await world.command(alice, `add ${name} <@${bob}>`)).toMatchObject({ status: 200 });
    const team = await db.read((repos) => repos.teams.findByNameKey(world.workspaceId, name.toLowerCase()));
    if (!team) throw new Error(`${name} was not created: ${created.text}`);
    const { results } = await world.roster.services.usage.record(world.workspaceId, team.id, [
      {
        transactionId: `d-${++tx}`,
        userId: alice,
        tokens: 1200,
        resource: "gpt-4o",
        occurredAt: DUE - 4 * 24 * HOUR,
      },
      {
        transactionId: `d-${++tx}`,
        userId: bob,
        tokens: 300,
        resource: "claude",
        occurredAt: DUE - 2 * 24 * HOUR,
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted"]);
    return team.id;
  }

  const digestsIn = (channel: string): StandInMessage[] =>
    world.slack.messagesTo(channel).filter((m) => m.metadata?.event_type === DIGEST_EVENT);
  const chartsIn = (channel: string): StandInMessage[] =>
    world.slack.messagesTo(channel).filter((m) => (m.files ?? []).length > 0);
  const tick = (on: SlackWorld = world) => on.roster.deps.digests.handleDigest();
  const postCalls = () => world.slack.calls.filter((c) => c.method === "chat.postMessage");

  it("goes out once per team when three processes tick the same period", async () => {
    const channels = ["CDIGESTA1", "CDIGESTB1", "CDIGESTC1"];
    for (const [i, channel] of channels.entries()) await teamWithChannel(`Digest${i}`, channel);
    const processes = [world, await anotherProcess(), await anotherProcess()];
    world.clock.set(DUE + MINUTE);

    const runs = await Promise.all(processes.map((p) => tick(p)));
    expect(runs.every((r) => r.period === WEEK_KEY)).toBe(true);
    const delivered = runs.reduce((sum, r) => sum + (r.delivered.posted ?? 0), 0);
    expect(delivered).toBe(3);
    for (const channel of channels) {
      expect(digestsIn(channel)).toHaveLength(1);
      expect(chartsIn(channel)).toHaveLength(1);
      expect(digestsIn(channel)[0].metadata?.event_payload).toMatchObject({ period: WEEK_KEY });
    }

    // Every later tick of the week, in any process, finds nothing owed.
    world.clock.advance(HOUR);
    const again = await Promise.all(processes.map((p) => tick(p)));
    expect(again.map((r) => r.delivered)).toEqual([{}, {}, {}]);
    for (const channel of channels) expect(digestsIn(channel)).toHaveLength(1);
  });

  it("waits for DIGEST_CRON, and a process that was down then sends it on its next tick", async () => {
    await teamWithChannel("Late", "CDIGESTLATE");
    world.clock.set(DUE - MINUTE);
    // Before 09:00 the due digest is last week's, and Late didn't exist yet then.
    expect((await tick()).delivered).toEqual({});
    expect(digestsIn("CDIGESTLATE")).toHaveLength(0);

    world.clock.set(DUE + 3 * HOUR + 17 * MINUTE);
    expect((await tick()).delivered).toEqual({ posted: 1 });
    expect(digestsIn("CDIGESTLATE")).toHaveLength(1);
  });

  it("is posted once on the next tick after a process died holding its claim", async () => {
    const teamId = await teamWithChannel("Crashy", "CDIGESTCRASH");
    world.clock.set(DUE + MINUTE);
    const dead = await anotherProcess();
    // The dead process claimed Crashy's digest and never got further.
    await dead.roster.services.digestSchedule.due(WEEK_KEY, DUE);
    const claim = await dead.roster.services.jobClaims.take(
      digestClaimKey(world.workspaceId, teamId, WEEK_KEY),
      LEASE_MS,
    );
    expect(claim).not.toBeNull();

    expect((await tick()).delivered).toEqual({});
    expect(digestsIn("CDIGESTCRASH")).toHaveLength(0);

    world.clock.advance(LEASE_MS + MINUTE);
    expect((await tick()).delivered).toEqual({ posted: 1 });
    expect(digestsIn("CDIGESTCRASH")).toHaveLength(1);
    expect(chartsIn("CDIGESTCRASH")).toHaveLength(1);
    // The dead process's lease is gone: it can't record anything for the digest any more.
    await expect(claim?.finish("posted")).rejects.toThrow(/another process/);
  });

  it("finds its message after Slack posted it but the answer was lost, and doesn't post again", async () => {
    await teamWithChannel("Lossy", "CDIGESTLOSS");
    world.clock.set(DUE + MINUTE);
    world.slack.failNext("chat.postMessage", { status: 500, afterRunning: true });

    expect((await tick()).delivered).toEqual({ posted: 1 });
    expect(digestsIn("CDIGESTLOSS")).toHaveLength(1);
    expect(postCalls().filter((c) => c.args.channel === "CDIGESTLOSS")).toHaveLength(1);
    expect(chartsIn("CDIGESTLOSS")).toHaveLength(1);
  });

  it("waits as Retry-After says after a 429, retries 500s, and delivers once", async () => {
    await teamWithChannel("Busy", "CDIGESTBUSY");
    world.clock.set(DUE + MINUTE);
    world.slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    world.slack.failNext("chat.postMessage", { status: 500 }, 1);
    world.slack.failNext("files.completeUploadExternal", { status: 503 }, 1);

    const started = Date.now();
    expect((await tick()).delivered).toEqual({ posted: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(digestsIn("CDIGESTBUSY")).toHaveLength(1);
    expect(chartsIn("CDIGESTBUSY")).toHaveLength(1);
    const tries = postCalls().filter((c) => c.args.channel === "CDIGESTBUSY");
    expect(tries.map((c) => c.status)).toEqual([429, 500, 200]);
  });

  it("hands a digest back when Slack stays down, and the next tick delivers it once", async () => {
    await teamWithChannel("Down", "CDIGESTDOWN");
    world.clock.set(DUE + MINUTE);
    world.slack.failNext("chat.postMessage", { status: 500 }, 3);

    expect(await tick()).toMatchObject({ delivered: {}, failed: 1 });
    expect(digestsIn("CDIGESTDOWN")).toHaveLength(0);
    // Handed back for a minute (retryLaterMs): not before.
    expect((await tick()).delivered).toEqual({});
    world.clock.advance(2 * MINUTE);
    expect((await tick()).delivered).toEqual({ posted: 1 });
    expect(digestsIn("CDIGESTDOWN")).toHaveLength(1);
  });

  it("sends the digest to the team's admins by DM when its channel is archived, and logs it once", async () => {
    await teamWithChannel("Archived", "CDIGESTARCH");
    world.slack.channels.get("CDIGESTARCH")!.isArchived = true;
    world.clock.set(DUE + MINUTE);

    expect((await tick()).delivered).toEqual({ dm_fallback: 1 });
    expect(digestsIn("CDIGESTARCH")).toHaveLength(0);
    const dms = world.slack.messagesTo(alice).filter((m) => (m.text ?? "").includes("can't take it"));
    expect(dms).toHaveLength(1);
    expect(world.slack.messagesTo(bob).filter((m) => (m.text ?? "").includes("can't take it"))).toHaveLength(
      0,
    );
    world.clock.advance(HOUR);
    await tick();
    const warnings = world.logs.filter((line) => line.includes("can't take the digest"));
    expect(warnings).toHaveLength(1);
  });
});
