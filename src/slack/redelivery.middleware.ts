import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { SlackDeps } from "./deps";

/**
 * Slack retries an event it thinks went unanswered (X-Slack-Retry-Num), and a proxy may replay a
 * request. Every event (by event_id) and every command or interaction (by its one-off trigger_id)
 * is taken in once; a repeat is acknowledged and goes no further, so it never repeats a change.
 */
export function ignoreRedeliveries(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = deliveryKey(args.body as Record<string, unknown>);
    if (key && !(await firstTime(deps, key))) {
      deps.logger.info({ key, retryNum: args.context.retryNum }, "ignored a repeated Slack delivery");
      if ("ack" in args && typeof args.ack === "function") await (args.ack as () => Promise<void>)();
      return;
    }
    await args.next();
  };
}

/**
 * How long the check may hold up a request. Slack wants the HTTP answer within 3 seconds, and a
 * command's own listener may use 2 of them before it acks (see answerCommand).
 */
const CHECK_WAIT_MS = 200;

/**
 * Whether `key` is new. When the database can't say in time (it is down, or another process holds
 * SQLite's write lock), the request goes on: its listener meets the same trouble and answers with
 * the sentence the user should see, where a failure here would leave the request unanswered
 * (Bolt's error handler doesn't ack) and a wait here would make the ack late. Letting it through
 * repeats nothing that was done: Slack only redelivers events, and the listener's change can't be
 * written while the database can't record the key either.
 */
async function firstTime(deps: SlackDeps, key: string): Promise<boolean> {
  const check = deps.services.deliveries.firstTime(key);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), CHECK_WAIT_MS);
  });
  try {
    const first = await Promise.race([check, late]);
    if (first !== "late") return first;
    check.catch(() => undefined);
    deps.logger.warn({ key }, "the database is slow to record a Slack delivery; handling it anyway");
    return true;
  } catch (error) {
    deps.logger.warn({ key, err: error }, "could not record a Slack delivery; handling it anyway");
    return true;
  } finally {
    clearTimeout(timer);
  }
}

function deliveryKey(body: Record<string, unknown>): string | undefined {
  const team = body.team as { id?: string } | undefined;
  const workspace = typeof body.team_id === "string" ? body.team_id : (team?.id ?? "");
  if (typeof body.event_id === "string") return `${workspace}:event:${body.event_id}`;
  if (typeof body.trigger_id === "string") return `${workspace}:trigger:${body.trigger_id}`;
  return undefined;
}
