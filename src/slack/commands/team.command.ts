import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { answerCommand } from "../answer";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { dispatch } from "./dispatch";

/**
 * `/team …`: every subcommand arrives here, is parsed by the one grammar and routed to its handler.
 * After a change (not after a command that only showed something), the App Home of the people it
 * touched is republished in the background, and synced Slack groups are brought in step.
 */
export function onTeamCommand(deps: SlackDeps) {
  return async ({
    command,
    ack,
    respond,
    client,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: command.team_id, userId: command.user_id };
    const ids = {
      kind: "command",
      name: command.text.split(/\s/)[0],
      workspaceId: actor.workspaceId,
      userId: actor.userId,
    };
    await answerCommand(
      ack,
      respond,
      async () => {
        const { reply, mentioned, changed } = await dispatch({
          actor,
          deps,
          client,
          triggerId: command.trigger_id,
          channelId: command.channel_id,
          text: command.text,
          confirmed: false,
        });
        if (changed) {
          deps.home.refreshSoon(actor.workspaceId, [actor.userId, ...mentioned]);
          deps.sync.soon(actor.workspaceId);
        }
        return reply;
      },
      (error) => errorReply(error, deps.logger, ids),
    );
  };
}
