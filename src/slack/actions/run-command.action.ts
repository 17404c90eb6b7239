import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { dispatch } from "../commands/dispatch";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { toSlackMessage } from "../reply";
import { showInModal } from "../views/reply.modal";

/**
 * Buttons that carry a `/team` command in their value: shortcuts on replies ("Members"), paging
 * ("Next ▶" replays `list … page=3` in place), and Confirm on a preview (`confirmed`). The command
 * runs as the person who pressed, through the same parser, services and policy as if they had typed
 * it. On a message, the reply comes through its response_url; on the App Home or in a modal, where
 * Slack gives no response_url, it is shown in a modal (see showInModal).
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
      if (result.changed) {
        deps.home.refreshSoon(actor.workspaceId, [actor.userId, ...result.mentioned]);
        deps.sync.soon(actor.workspaceId);
      }
      reply = result.reply;
    } catch (error) {
      reply = errorReply(error, deps.logger, ids);
    }
    if (!reply) return;
    if (body.container.type === "view") await showInModal(client, body, reply, replace);
    else await respond(toSlackMessage(reply, { replaceOriginal: replace }));
  };
}
