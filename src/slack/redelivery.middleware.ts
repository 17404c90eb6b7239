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
    if (key && !(await deps.services.deliveries.firstTime(key))) {
      deps.logger.info({ key, retryNum: args.context.retryNum }, "ignored a repeated Slack delivery");
      if ("ack" in args && typeof args.ack === "function") await (args.ack as () => Promise<void>)();
      return;
    }
    await args.next();
  };
}

function deliveryKey(body: Record<string, unknown>): string | undefined {
  const team = body.team as { id?: string } | undefined;
  const workspace = typeof body.team_id === "string" ? body.team_id : (team?.id ?? "");
  if (typeof body.event_id === "string") return `${workspace}:event:${body.event_id}`;
  if (typeof body.trigger_id === "string") return `${workspace}:trigger:${body.trigger_id}`;
  return undefined;
}
