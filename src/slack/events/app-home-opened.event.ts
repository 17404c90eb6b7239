import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import type { SlackDeps } from "../deps";

/** Opening the Home tab republishes it, so it is current whatever changed while it was closed. */
export function onAppHomeOpened(deps: SlackDeps) {
  return async ({
    event,
    body,
  }: SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== "home") return;
    await deps.home.publish(body.team_id, event.user);
  };
}
