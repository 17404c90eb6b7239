import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock";
import type { Database } from "../../src/db/database";
import { CronFiring } from "../../src/jobs/cron-firing";
import { JobClaimService, type ClaimKey } from "../../src/services/job-claim.service";
import { newWorkspaceId, openAnother, testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";

const MINUTE = 60_000;

describe.each(testDatabases())("job claims on $name", (kind) => {
  const testDb = useDatabase(kind);
  let db: Database;
  let other: Database;
  let clock: ManualClock;
  let key: ClaimKey;

  beforeEach(async () => {
    db = testDb();
    other = await openAnother(db);
    clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
    key = { workspaceId: newWorkspaceId(), job: "test-job", subject: "42", period: "2026-11-16" };
  });
  afterEach(async () => {
    await other.close();
  });

  it("gives a piece of work to exactly one of many processes asking at once", async () => {
    // Five processes on two connections, each asking four times at once.
    const processes = [db, other, db, other, db].map((d) => new JobClaimService(d, clock));
    await Promise.all(processes.map((p) => p.ensure([key])));
    const taken = await Promise.all(
      processes.flatMap((p) => Array.from({ length: 4 }, () => p.take(key, 5 * MINUTE))),
    );
    expect(taken.filter((claim) => claim !== null)).toHaveLength(1);
  });

  it("lets another process take over when the lease runs out, and the first can then record nothing", async () => {
    const first = new JobClaimService(db, clock);
    const second = new JobClaimService(other, clock);
    await first.ensure([key]);
    const held = await first.take<{ step?: string }>(key, 5 * MINUTE);
    expect(held).not.toBeNull();
    await held?.save({ step: "posted" });

    clock.advance(4 * MINUTE);
    expect(await second.take(key, 5 * MINUTE)).toBeNull();
    clock.advance(2 * MINUTE);
    const taken = await second.take<{ step?: string }>(key, 5 * MINUTE);
    // It carries on from the progress the first one saved.
    expect(taken?.progress).toEqual({ step: "posted" });
    expect(taken?.attempts).toBe(2);
    await expect(held?.save({ step: "again" })).rejects.toThrow(/another process/);
    await expect(held?.finish("done")).rejects.toThrow(/another process/);

    await taken?.finish("done");
    clock.advance(60 * MINUTE);
    expect(await first.take(key, 5 * MINUTE)).toBeNull();
    expect(await first.done("test-job", "2026-11-16")).toContain(`${key.workspaceId}/42`);
  });

  it("keeps a released piece of work from everyone until its retry time", async () => {
    const service = new JobClaimService(db, clock);
    await service.ensure([key, key]);
    const held = await service.take(key, 5 * MINUTE);
    await held?.release(2 * MINUTE, "failed; retrying");
    expect(await service.take(key, 5 * MINUTE)).toBeNull();
    clock.advance(2 * MINUTE);
    expect(await service.take(key, 5 * MINUTE)).not.toBeNull();
    expect((await service.find(key))?.outcome).toBe("failed; retrying");
  });
});

describe("when DIGEST_CRON last fired", () => {
  it("finds the last firing in the time zone, walking back once and forward after", async () => {
    const firing = new CronFiring("0 9 * * 1", "Europe/Berlin");
    // Monday 2026-11-23 09:00 in Berlin is 08:00 UTC.
    const due = Date.UTC(2026, 10, 23, 8, 0);
    expect(await firing.lastAtOrBefore(due - MINUTE)).toBe(due - 7 * 24 * 60 * MINUTE);
    expect(await firing.lastAtOrBefore(due)).toBe(due);
    expect(await firing.lastAtOrBefore(due + 30 * 1000)).toBe(due);
    expect(await firing.lastAtOrBefore(due + 3 * 24 * 60 * MINUTE)).toBe(due);
    // Going back in time (a test clock, a corrected system clock) looks again.
    expect(await firing.lastAtOrBefore(due - 2 * MINUTE)).toBe(due - 7 * 24 * 60 * MINUTE);
  });

  it("takes a 6-field expression's seconds into account", async () => {
    const firing = new CronFiring("30 0 9 * * 1", "UTC");
    const due = Date.UTC(2026, 10, 23, 9, 0, 30);
    expect(await firing.lastAtOrBefore(due - 1000)).toBe(due - 7 * 24 * 60 * MINUTE);
    expect(await firing.lastAtOrBefore(due)).toBe(due);
    expect(await firing.lastAtOrBefore(due + 10 * MINUTE)).toBe(due);
    const everyFewSeconds = new CronFiring("*/20 * * * * *", "UTC");
    expect(await everyFewSeconds.lastAtOrBefore(due + 25_000)).toBe(due + 10_000);
    expect(await everyFewSeconds.lastAtOrBefore(due + 31_000)).toBe(due + 30_000);
  });

  it("answers null when the expression never fired in the lookback", async () => {
    const firing = new CronFiring("0 9 29 2 *", "UTC");
    expect(await firing.lastAtOrBefore(Date.UTC(2026, 10, 23))).toBeNull();
  });
});
