import type { TaskOptions } from "node-cron";
import { createTask } from "node-cron";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Config, loadConfig } from "../../src/config";
import { type CreateCronTask, type SchedulerDeps, startScheduler } from "../../src/jobs/scheduler";
import { newUserId, testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackWorld } from "../support/slack-app";

const DAY = 86_400_000;
/** Far from the other tests' clocks: the expiry job reaches every workspace of a shared database. */
const LONG_AGO = Date.UTC(2003, 6, 1, 8, 0, 0);

interface FakeTask {
  expression: string;
  options: TaskOptions;
  tick: () => Promise<void>;
  started: number;
  destroyed: number;
}

/** A cron that never fires on its own: the test fires each tick. */
function fakeCron(): { createTask: CreateCronTask; tasks: FakeTask[]; byName(name: string): FakeTask } {
  const tasks: FakeTask[] = [];
  return {
    tasks,
    createTask(expression, tick, options) {
      const task: FakeTask = { expression, options, tick, started: 0, destroyed: 0 };
      tasks.push(task);
      return {
        start: () => void (task.started += 1),
        destroy: () => void (task.destroyed += 1),
      };
    },
    byName(name) {
      const task = tasks.find((t) => t.options.name === name);
      if (!task) throw new Error(`no task ${name}`);
      return task;
    },
  };
}

function deferred(): { promise: Promise<void>; release(): void } {
  let release = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe.each(testDatabases())("the scheduler on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  let deps: SchedulerDeps;
  const config: Config = loadConfig({ TIMEZONE: "Europe/Berlin" });

  beforeEach(async () => {
    world = testWorld();
    world.clock.set(LONG_AGO);
    deps = { ...world.roster.deps, client: world.roster.app.client };
    // Bolt checks its token (auth.test) as the app starts; a test that never sends a request would
    // close the stand-in under that call.
    await world.command(world.person(newUserId("starter")), "help");
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const failures = () => world.logs.filter((line) => line.includes("scheduled job failed"));

  it("registers every job in one place, in TIMEZONE, and stop() stops them all", async () => {
    const cron = fakeCron();
    const scheduler = startScheduler(deps, config, { createTask: cron.createTask });
    expect(cron.tasks.map((t) => [t.options.name, t.expression])).toEqual([
      ["invitation-expiry", "*/5 * * * *"],
      ["request-escalation", "*/5 * * * *"],
      ["digest", config.DIGEST_CRON],
      ["digest-catch-up", "*/5 * * * *"],
      ["team-sync", "*/15 * * * *"],
      ["delivery-prune", "17 * * * *"],
    ]);
    for (const task of cron.tasks) {
      expect(task.options).toMatchObject({ timezone: "Europe/Berlin", noOverlap: true });
      expect(task.started).toBe(1);
      expect(task.destroyed).toBe(0);
    }
    await scheduler.stop();
    for (const task of cron.tasks) expect(task.destroyed).toBe(1);
  });

  it("hands node-cron expressions it schedules every five minutes, and stop() destroys its tasks", async () => {
    const created: ReturnType<typeof createTask>[] = [];
    const scheduler = startScheduler(deps, config, {
      createTask: (expression, tick, options) => {
        const task = createTask(expression, tick, options);
        created.push(task);
        return task;
      },
    });
    try {
      const [expiry, escalation] = created;
      for (const task of [expiry, escalation]) {
        expect(task.getStatus()).toBe("idle");
        const [first, second] = task.getNextRuns(2);
        expect(first.getUTCMinutes() % 5).toBe(0);
        expect(second.getTime() - first.getTime()).toBe(5 * 60_000);
      }
      // A tick fired by hand runs the real job.
      await expect(expiry.execute()).resolves.toBeUndefined();
    } finally {
      await scheduler.stop();
    }
    for (const task of created) expect(task.getStatus()).toBe("destroyed");
  });

  it("logs a tick that throws and keeps going: the next tick does the work", async () => {
    const alice = world.person(newUserId("alice"));
    const bob = world.person(newUserId("bob"));
    const actor = { workspaceId: world.workspaceId, userId: alice };
    await world.roster.services.teams.create(actor, { name: "Platform" });
    await world.roster.services.invitations.invite(actor, "Platform", { users: [bob], emails: [] });
    world.clock.advance(8 * DAY);
    const expireDue = vi
      .spyOn(world.roster.services.invitations, "expireDue")
      .mockRejectedValueOnce(new Error("database unavailable"));
    const cron = fakeCron();
    const scheduler = startScheduler(deps, config, { createTask: cron.createTask });
    const expiry = cron.byName("invitation-expiry");

    await expect(expiry.tick()).resolves.toBeUndefined();
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('"job":"invitation-expiry"');
    expect(failures()[0]).toContain("database unavailable");
    expect((await world.roster.services.invitations.pending(actor, "Platform")).invitations).toHaveLength(1);

    await expiry.tick();
    expect(expireDue).toHaveBeenCalledTimes(2);
    expect(failures()).toHaveLength(1);
    expect((await world.roster.services.invitations.pending(actor, "Platform")).invitations).toEqual([]);
    await scheduler.stop();
  });

  it("never overlaps a job with itself in one process, and stop() waits for the running tick", async () => {
    const gate = deferred();
    const escalateDue = vi
      .spyOn(world.roster.services.approvals, "escalateDue")
      .mockImplementation(async () => {
        await gate.promise;
        return [];
      });
    const cron = fakeCron();
    const scheduler = startScheduler(deps, config, { createTask: cron.createTask });
    const escalation = cron.byName("request-escalation");

    const first = escalation.tick();
    await expect.poll(() => escalateDue.mock.calls.length).toBe(1);
    await escalation.tick();
    expect(escalateDue).toHaveBeenCalledTimes(1);
    expect(world.logs.join("\n")).toContain("the previous run is still going; skipping this tick");
    // Other jobs are not held up by it.
    await cron.byName("invitation-expiry").tick();

    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    gate.release();
    await Promise.all([first, stopping]);
    expect(stopped).toBe(true);

    // Once it finished, the job runs again.
    await escalation.tick();
    expect(escalateDue).toHaveBeenCalledTimes(2);
    expect(failures()).toEqual([]);
  });
});
