import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { dispatch } from "../commands/dispatch";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { toSlackMessage } from "../reply";

/**
 * Buttons that carry a `/team` command in their value: shortcuts on replies ("Members"), paging
 * ("Next ▶" replays `list … page=3` in place), and Confirm on a preview (`confirmed`). The command runs as the
 * person who pressed, through the same parser, services and policy as if they had typed it; the
 * reply replaces the message the button was on.
 */
export function onRunCommand(deps: SlackDeps, mode: { confirmed: boolean; replace: boolean }) {
  const { confirmed, replace } = mode;
  return async ({
    ack,
    action,
    body,
    respond,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const actor = { workspaceId: body.team?.id ?? body.user.team_id ?? "", userId: body.user.id };
    const ids = { kind: "action", name: action.action_id, ...actor };
    let reply;
    try {
      const result = await dispatch({
        actor,
        deps,
        client,
        triggerId: body.trigger_id,
        channelId: body.channel?.id ?? "",
        text: action.value ?? "",
        confirmed,
      });
      deps.home.refreshSoon(actor.workspaceId, [actor.userId, ...result.mentioned]);
      reply = result.reply;
    } catch (error) {
      reply = errorReply(error, deps.logger, ids);
    }
    if (reply) await respond(toSlackMessage(reply, { replaceOriginal: replace }));
  };
}
