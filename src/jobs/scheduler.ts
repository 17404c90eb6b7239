import type { WebClient } from "@slack/web-api";
import { createTask, type Logger as CronLogger, type TaskOptions } from "node-cron";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { SlackDeps } from "../slack/deps";
import { handleInvitationExpiry } from "./invitation-expiry.job";
import { handleRequestEscalation } from "./request-escalation.job";
import { handleTeamSync } from "./team-sync.job";

/** What the jobs use: the listeners' dependencies, and a Web API client to send with. */
export interface SchedulerDeps extends SlackDeps {
  client: WebClient;
}

/** One piece of scheduled work: a name for the logs, a cron expression, and the work. */
export interface ScheduledJob {
  name: string;
  expression: string;
  run(): Promise<unknown>;
}

/** The part of a node-cron task the scheduler uses. */
export interface CronTask {
  start(): void | Promise<void>;
  destroy(): void | Promise<void>;
}

/** node-cron's `createTask`, or a stand-in that lets a test fire ticks itself. */
export type CreateCronTask = (
  expression: string,
  tick: () => Promise<void>,
  options: TaskOptions,
) => CronTask;

export interface Scheduler {
  /** Stops every task and waits for the ticks already running to finish. */
  stop(): Promise<void>;
}

const EVERY_FIVE_MINUTES = "*/5 * * * *";

/**
 * Every scheduled job, registered in this one place. Every process runs all of them: the
 * database decides which process does each piece of work (a conditional UPDATE per invitation or
 * request), so running the same tick in several processes does each thing once.
 */
export function scheduledJobs(deps: SchedulerDeps, config: Config): ScheduledJob[] {
  return [
    {
      name: "invitation-expiry",
      expression: EVERY_FIVE_MINUTES,
      run: () => handleInvitationExpiry(deps, deps.client),
    },
    {
      name: "request-escalation",
      expression: EVERY_FIVE_MINUTES,
      run: () => handleRequestEscalation(deps, deps.client, config),
    },
    {
      name: "digest",
      expression: config.DIGEST_CRON,
      run: () => deps.digests.handleDigest(),
    },
    {
      // The same work again, for a process that was down at DIGEST_CRON or a run cut short:
      // the claims make it a no-op for every team already done.
      name: "digest-catch-up",
      expression: EVERY_FIVE_MINUTES,
      run: () => deps.digests.handleDigest(),
    },
    {
      // Changes are synced as they happen; this catches what happened in Slack itself.
      name: "team-sync",
      expression: "*/15 * * * *",
      run: () => handleTeamSync(deps),
    },
    {
      // Slack stops redelivering within minutes; the keys only need to outlive that.
      name: "delivery-prune",
      expression: "17 * * * *",
      run: () => deps.services.deliveries.prune(),
    },
  ];
}

/**
 * Starts node-cron tasks for every job, in config.TIMEZONE. A tick never overlaps the previous
 * one of the same job in this process (a slow run makes the next tick a no-op), and a tick that
 * fails is logged and leaves the task running, so the next tick tries again.
 */
export function startScheduler(
  deps: SchedulerDeps,
  config: Config,
  options: { createTask?: CreateCronTask } = {},
): Scheduler {
  const create =
    options.createTask ?? ((expression, tick, taskOptions) => createTask(expression, tick, taskOptions));
  // The ticks under way, so that stop() can wait for them (a guarded tick never rejects).
  const running = new Set<Promise<void>>();
  const tracked = (tick: () => Promise<void>) => async () => {
    const run = tick();
    running.add(run);
    await run;
    running.delete(run);
  };
  const tasks = scheduledJobs(deps, config).map((job) =>
    create(job.expression, tracked(guarded(job, deps.logger.child({ job: job.name }))), {
      name: job.name,
      timezone: config.TIMEZONE,
      noOverlap: true,
      logger: cronLogger(deps.logger),
    }),
  );
  for (const task of tasks) void task.start();
  deps.logger.info({ jobs: tasks.length, timezone: config.TIMEZONE }, "scheduler started");
  return {
    async stop() {
      for (const task of tasks) await task.destroy();
      await Promise.all(running);
    },
  };
}

/**
 * The job's tick: skipped while the previous one is still running (node-cron's noOverlap covers
 * its own timer, not a manual `execute()`), and never throwing, so a failure is one log line and
 * the task keeps its schedule.
 */
function guarded(job: ScheduledJob, logger: Logger): () => Promise<void> {
  let busy = false;
  return async () => {
    if (busy) {
      logger.warn("the previous run is still going; skipping this tick");
      return;
    }
    busy = true;
    const started = Date.now();
    try {
      const result = await job.run();
      logger.debug({ result, ms: Date.now() - started }, "scheduled job done");
    } catch (error) {
      logger.error({ err: error, ms: Date.now() - started }, "scheduled job failed; the next tick retries");
    } finally {
      busy = false;
    }
  };
}

/** node-cron's own warnings (a missed tick, an overlap) as JSON lines in our log. */
function cronLogger(logger: Logger): CronLogger {
  const scoped = logger.child({ component: "node-cron" });
  return {
    info: (message) => scoped.info(message),
    warn: (message) => scoped.warn(message),
    error: (message, err) => scoped.error({ err: err ?? message }, String(message)),
    debug: (message, err) => scoped.debug({ err }, String(message)),
  };
}
