import { beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../../src/domain/periods";
import type { Actor } from "../../src/services/actor";
import {
  type Digest,
  digestWeekEndedBefore,
  digestWeekOf,
  digestWeekSoFar,
} from "../../src/services/digest.service";
import type { SpendInput } from "../../src/services/usage.service";
import { testDatabases } from "../support/databases";
import { useServiceWorld } from "../support/fixtures";
import { rejectionOf, type ServiceWorld } from "../support/services";

// The digest's clock runs in 2005 (job tests use 2001–2003), in Berlin: CET is UTC+1 in March
// until the 27th, CEST (UTC+2) after.
const TZ = "Europe/Berlin";
/** A Berlin wall-clock time in March 2005 before the DST change (UTC+1). */
const berlin = (month: number, day: number, hour: number, minute = 0) =>
  Date.UTC(2005, month - 1, day, hour - 1, minute);
const WEEK = 7 * DAY;

describe("digest periods", () => {
  it("covers the Monday-to-Sunday week that ended last, in the configured zone", () => {
    const period = digestWeekEndedBefore(berlin(3, 14, 9), TZ);
    expect(period).toMatchObject({
      key: "2005-03-07",
      from: berlin(3, 7, 0),
      to: berlin(3, 14, 0),
      previousFrom: berlin(2, 28, 0),
      previousTo: berlin(3, 7, 0),
      partial: false,
    });
    expect(period.days).toEqual([
      "2005-03-07",
      "2005-03-08",
      "2005-03-09",
      "2005-03-10",
      "2005-03-11",
      "2005-03-12",
      "2005-03-13",
    ]);
    // Sunday 23:59 local is still that week, though in UTC it is Sunday 22:59.
    expect(digestWeekEndedBefore(berlin(3, 13, 23, 59), TZ).key).toBe("2005-02-28");
  });

  it("knows that the week of a DST change is an hour short", () => {
    const period = digestWeekEndedBefore(Date.UTC(2005, 2, 28, 7), TZ);
    expect(period.key).toBe("2005-03-21");
    expect(period.to - period.from).toBe(WEEK - 3_600_000);
  });

  it("previews the week so far against the same stretch of the week before", () => {
    const now = berlin(3, 9, 12);
    const period = digestWeekSoFar(now, TZ);
    expect(period).toMatchObject({
      key: "2005-03-07",
      from: berlin(3, 7, 0),
      to: now,
      previousFrom: berlin(2, 28, 0),
      previousTo: berlin(3, 2, 12),
      partial: true,
    });
    expect(period.days).toEqual(["2005-03-07", "2005-03-08", "2005-03-09"]);
    expect(digestWeekSoFar(berlin(3, 7, 0), TZ).days).toEqual(["2005-03-07"]);
  });

  it("reads a week named by its Monday: whole once over, so far while it runs, refused otherwise", () => {
    const now = berlin(3, 9, 12);
    expect(digestWeekOf("2005-02-28", now, TZ).partial).toBe(false);
    expect(digestWeekOf("2005-03-07", now, TZ)).toMatchObject({ partial: true, to: now });
    expect(() => digestWeekOf("2005-03-08", now, TZ)).toThrow(
      "week= is the date of a Monday written YYYY-MM-DD, like week=2005-03-07.",
    );
    expect(() => digestWeekOf("2005-02-30", now, TZ)).toThrow(/week= is the date of a Monday/);
    expect(() => digestWeekOf("2005-03-14", now, TZ)).toThrow(
      "The week of 2005-03-14 hasn't started yet; name a week up to this one.",
    );
  });
});

let tx = 0;

describe.each(testDatabases())("the weekly digest's content on $name", (kind) => {
  const testWorld = useServiceWorld(kind, { timeZone: TZ });
  let world: ServiceWorld;
  let owner: Actor, admin: Actor, alice: Actor, bob: Actor, carol: Actor, dave: Actor;
  let erin: Actor, frank: Actor, gina: Actor, hank: Actor, lou: Actor, sam: Actor;
  let platformId: number, evalsId: number;
  const CHANNEL = "CPLATFORM1";

  const spend = (who: Actor, tokens: number, at: number, resource = "gpt-4o"): SpendInput => ({
    transactionId: `digest-${++tx}`,
    userId: who.userId,
    tokens,
    resource,
    occurredAt: at,
  });
  const record = async (teamId: number, events: SpendInput[]) => {
    const { results } = await world.services.usage.record(world.workspaceId, teamId, events);
    expect(results.map((r) => r.status)).toEqual(events.map(() => "accepted"));
  };

  beforeEach(async () => {
    world = testWorld();
    const s = world.services;
    [owner, admin, alice, bob, carol, dave, erin, frank, gina, hank, lou, sam] = [
      "owner",
      "admin",
      "alice",
      "bob",
      "carol",
      "dave",
      "erin",
      "frank",
      "gina",
      "hank",
      "lou",
      "sam",
    ].map((label) => world.user(label));

    world.clock.set(berlin(1, 10, 9));
    platformId = (
      await s.teams.create(owner, { name: "Platform", channelId: CHANNEL, joinPolicy: "approval" })
    ).id;
    evalsId = (await s.teams.create(owner, { name: "Evals", parent: "Platform" })).id;
    await s.members.add(owner, "Platform", [admin.userId], "admin");
    await s.members.add(
      owner,
      "Platform",
      [alice, bob, carol, dave, frank, gina, hank, lou].map((a) => a.userId),
    );
    await s.members.add(owner, "Evals", [sam.userId]);
    await s.limits.set(owner, "Platform", { totalMax: 5_000, period: "monthly" });
    await s.limits.set(owner, "Platform", { userId: alice.userId, totalMax: 10_000, period: "weekly" });
    await s.limits.set(owner, "Platform", { userId: carol.userId, totalMax: 1_000, period: "daily" });
    await s.limits.set(owner, "Platform", { budget: true, totalMax: 40_000, period: "monthly" });
    // An invitation sent now has expired by March, though no job has marked it.
    await s.invitations.invite(owner, "Platform", { users: [world.user("kim").userId], emails: [] });

    world.clock.set(berlin(3, 1, 9));
    await s.members.add(owner, "Platform", [erin.userId]);

    await record(platformId, [
      spend(dave, 100, berlin(2, 10, 10)),
      // The week before (28 Feb – 6 Mar): 3,200.
      spend(alice, 2_000, berlin(3, 1, 10)),
      spend(bob, 500, berlin(3, 2, 10)),
      spend(frank, 700, berlin(3, 3, 10), "claude"),
      // The week (7 – 13 Mar): 14,900.
      spend(alice, 4_000, berlin(3, 7, 10)),
      spend(carol, 600, berlin(3, 8, 10), "embed"),
      spend(gina, 400, berlin(3, 8, 10)),
      spend(bob, 3_600, berlin(3, 9, 10)),
      spend(hank, 300, berlin(3, 9, 10)),
      spend(carol, 900, berlin(3, 10, 10), "embed"),
      spend(lou, 100, berlin(3, 11, 10)),
      // Sunday 23:30 in Berlin is still Sunday (22:30 UTC); Monday 00:30 is the next week.
      spend(alice, 5_000, berlin(3, 13, 23, 30), "claude"),
      spend(alice, 1_000, berlin(3, 14, 0, 30)),
    ]);
    await record(evalsId, [spend(sam, 2_000, berlin(3, 9, 10))]);

    world.clock.set(berlin(3, 14, 9));
    await s.members.deactivate(owner, "Platform", [gina.userId]);
    await s.members.remove(owner, "Platform", [hank.userId]);
    // Lowered after the spend: alice is now over it.
    await s.limits.set(owner, "Platform", { userId: alice.userId, totalMax: 8_000 });
    await s.approvals.requestJoin(world.user("ivy"), "Platform");
    await s.approvals.requestLimit(frank, "Platform", 9_000, "evals");
    await s.invitations.invite(owner, "Platform", { users: [world.user("jack").userId], emails: [] });
  });

  const lastWeek = () => digestWeekEndedBefore(berlin(3, 14, 9), TZ);
  const build = async (): Promise<Digest> => {
    const digests = await world.services.digests.build(world.workspaceId, [platformId, evalsId], lastWeek());
    expect(digests.map((d) => d.team.name)).toEqual(["Platform"]);
    return digests[0];
  };

  it("totals the week against the week before, and ranks the resources", async () => {
    const digest = await build();
    expect(digest).toMatchObject({
      team: { id: platformId, name: "Platform", channelId: CHANNEL },
      audience: "channel",
      total: 14_900,
      previousTotal: 3_200,
      activeMembers: 9,
      resourceCount: 3,
    });
    expect(digest.change).toBeCloseTo(365.625, 6);
    expect(digest.resources).toEqual([
      { resource: "gpt-4o", tokens: 8_400 },
      { resource: "claude", tokens: 5_000 },
      { resource: "embed", tokens: 1_500 },
    ]);
  });

  it("lists each member's spend against their limit, most first, with near and over", async () => {
    const digest = await build();
    const row = (who: Actor) => digest.members.find((m) => m.userId === who.userId);
    expect(digest.members.slice(0, 6).map((m) => [m.userId, m.status, m.tokens])).toEqual([
      [alice.userId, "active", 9_000],
      [bob.userId, "active", 3_600],
      [carol.userId, "active", 1_500],
      [gina.userId, "inactive", 400],
      [hank.userId, "former", 300],
      [lou.userId, "active", 100],
    ]);
    // Those who spent nothing follow, fullest limit first: frank's March so far is 700 of 5,000.
    expect(digest.members[6].userId).toBe(frank.userId);
    expect(
      digest.members
        .slice(7)
        .map((m) => m.userId)
        .sort(),
    ).toEqual([owner, admin, dave, erin].map((a) => a.userId).sort());
    // Weekly: the week's spend. Monthly: March so far. Daily: the busiest day of the week.
    expect(row(alice)?.limit).toEqual({
      scope: "member",
      period: "weekly",
      totalMax: 8_000,
      used: 9_000,
      percent: 112.5,
    });
    expect(row(bob)?.limit).toEqual({
      scope: "default",
      period: "monthly",
      totalMax: 5_000,
      used: 4_100,
      percent: 82,
    });
    expect(row(carol)?.limit).toEqual({
      scope: "member",
      period: "daily",
      totalMax: 1_000,
      used: 900,
      day: "2005-03-10",
      percent: 90,
    });
    expect(row(hank)?.limit).toBeNull();
    expect(digest.nearLimit.map((m) => [m.userId, m.limit?.percent])).toEqual([
      [alice.userId, 112.5],
      [carol.userId, 90],
      [bob.userId, 82],
    ]);
  });

  it("says when the budget runs out at this week's pace, counting the sub-teams", async () => {
    const digest = await build();
    // March so far under Platform's budget: 21,100 of 40,000, Evals' 2,000 included; the week's
    // pace is 14,900 + 2,000 a week, so the 18,900 left last about 7.8 days from now.
    const now = berlin(3, 14, 9);
    expect(digest.budget).toMatchObject({
      totalMax: 40_000,
      period: "monthly",
      used: 21_100,
      pacePerWeek: 16_900,
      resetsAt: berlin(4, 1, 0) - 3_600_000,
    });
    expect(digest.budget!.runsOutAt! - now).toBeCloseTo((18_900 / 16_900) * WEEK, -4);

    await world.services.limits.set(owner, "Platform", { budget: true, totalMax: 200_000 });
    expect((await build()).budget?.runsOutAt).toBeNull();
    await world.services.limits.set(owner, "Platform", { budget: true, totalMax: 20_000 });
    expect((await build()).budget?.runsOutAt).toBe(now);
  });

  it("finds members idle for four weeks, but not the owner or anyone newer than that", async () => {
    const digest = await build();
    expect(digest.idle).toEqual([admin.userId, dave.userId].sort());
  });

  it("counts what waits for admins: requests and unexpired invitations", async () => {
    expect((await build()).waiting).toEqual({ joinRequests: 1, limitRequests: 1, invitations: 1 });
  });

  it("gives the chart tokens per local day for the top members and the rest as others", async () => {
    const { chart } = await build();
    expect(chart.days).toHaveLength(7);
    expect(chart.series.map((s) => s.userId)).toEqual([
      alice.userId,
      bob.userId,
      carol.userId,
      gina.userId,
      hank.userId,
      null,
    ]);
    expect(chart.series[0].values).toEqual([4_000, 0, 0, 0, 0, 0, 5_000]);
    expect(chart.series[2].values).toEqual([0, 600, 0, 900, 0, 0, 0]);
    expect(chart.series[5].values).toEqual([0, 0, 0, 0, 100, 0, 0]);
  });

  it("includes teams without a channel only when asked, and never another workspace's", async () => {
    const both = await world.services.digests.build(world.workspaceId, [platformId, evalsId], lastWeek(), {
      includeWithoutChannel: true,
    });
    expect(both.map((d) => [d.team.name, d.total]).sort()).toEqual([
      ["Evals", 2_000],
      ["Platform", 14_900],
    ]);
    expect(await world.services.digests.build("TOTHERWORKSPACE", [platformId], lastWeek())).toEqual([]);
  });

  it("previews the week so far: members without the admin section, admins with it", async () => {
    world.clock.set(berlin(3, 16, 12));
    const seen = await world.services.digests.preview(bob, "platform");
    // Mon 14 – Wed 16 noon against Mon 7 – Wed 9 noon.
    expect(seen).toMatchObject({ audience: "member", waiting: null, total: 1_000, previousTotal: 8_900 });
    expect(seen.period).toMatchObject({ key: "2005-03-14", partial: true });
    const admins = await world.services.digests.preview(admin, "Platform");
    expect(admins).toMatchObject({ audience: "admin", waiting: { joinRequests: 1 } });
    const earlier = await world.services.digests.preview(bob, "Platform", "2005-03-07");
    expect(earlier).toMatchObject({ total: 14_900, period: { partial: false } });
  });

  it("hides a private team from outsiders and lets only team:update post it", async () => {
    await world.services.teams.update(owner, "Platform", { visibility: "private" });
    const outsider = world.user("outsider");
    expect((await rejectionOf(world.services.digests.preview(outsider, "Platform"))).message).toBe(
      "There is no team called “Platform”; /team list shows the teams you can see.",
    );
    expect((await rejectionOf(world.services.digests.requirePoster(bob, "Platform"))).message).toBe(
      "You need the team:update permission in Platform to post Platform's digest; ask the team's owner or an admin.",
    );
    expect((await world.services.digests.requirePoster(admin, "Platform")).id).toBe(platformId);
  });

  it("opens a limit request only for active members, with their current limit", async () => {
    expect(await world.services.digests.requestTarget(bob, platformId)).toMatchObject({
      team: { name: "Platform" },
      current: { totalMax: 5_000, period: "monthly" },
    });
    expect((await rejectionOf(world.services.digests.requestTarget(gina, platformId))).message).toBe(
      "Only active members of Platform can ask for a higher limit there.",
    );
  });
});
