import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { NotFound } from "../../domain/errors";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { toSlackMessage } from "../reply";
import { limitRequestModal } from "../views/limit-request.modal";
import { showInModal } from "../views/reply.modal";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * A digest's "Request more tokens": opens the limit request form for the team in the button's
 * value. Someone who can't ask there (not an active member) is told so privately instead, before
 * typing anything. The form opens right after the ack, while Slack's trigger is still valid.
 */
export function onDigestRequestMore(deps: SlackDeps) {
  return async ({ ack, action, body, client, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const actor = { workspaceId: body.team?.id ?? body.user.team_id ?? "", userId: body.user.id };
    try {
      const value = action.value ?? "";
      if (!/^\d{1,12}$/.test(value)) throw new NotFound("That team no longer exists.");
      const target = await deps.services.digests.requestTarget(actor, Number(value));
      await client.views.open({ trigger_id: body.trigger_id, view: limitRequestModal(target) });
    } catch (error) {
      const reply = errorReply(error, deps.logger, { kind: "action", name: action.action_id, ...actor });
      if (body.container.type === "view") await showInModal(client, body, reply, false);
      else await respond(toSlackMessage(reply, { replaceOriginal: false }));
    }
  };
}
