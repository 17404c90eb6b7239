import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { NotFound } from "../../domain/errors";
import type { Actor } from "../../services/actor";
import type { InvitationView } from "../../services/invitation.service";
import {
  invitesListReply,
  resentNotice,
  revokedNotice,
  settledInvitationMessage,
} from "../blocks/invitation.blocks";
import type { SlackDeps } from "../deps";
import { errorReply } from "../errors";
import { deliverInvitations, updateInvitationMessage } from "../invitation-delivery";
import { type Reply, toSlackMessage } from "../reply";
import { showInModal } from "../views/reply.modal";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** A button's value is the invitation's ID; anything else names no invitation. */
function invitationId(value: string | undefined): number {
  if (!value || !/^\d{1,12}$/.test(value)) throw new NotFound("That invitation no longer exists.");
  return Number(value);
}

function actorOf(body: BlockAction): Actor {
  return { workspaceId: body.team?.id ?? body.user.team_id ?? "", userId: body.user.id };
}

/** An error where the button was: privately under a message, in a modal over the App Home. */
async function showError(args: ButtonArgs, deps: SlackDeps, error: unknown): Promise<void> {
  const { body, action, client, respond } = args;
  const reply = errorReply(error, deps.logger, { kind: "action", name: action.action_id, ...actorOf(body) });
  if (body.container.type === "view") await showInModal(client, body, reply, false);
  else await respond(toSlackMessage(reply, { replaceOriginal: false }));
}

/**
 * Accept or Decline, from the invitation's DM or from the App Home. The service settles the
 * invitation once (a double click or a race with Revoke gets "already …"); the winner updates the
 * DM in place through its recorded channel and ts, and republishes the App Homes it touched.
 */
export function onInvitationAnswer(deps: SlackDeps, answer: "accept" | "decline") {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, action, body, client } = args;
    await ack();
    const actor = actorOf(body);
    const messaging = { client, services: deps.services, logger: deps.logger };
    let invitation: InvitationView;
    try {
      const id = invitationId(action.value);
      invitation =
        answer === "accept"
          ? await deps.services.invitations.accept(actor, id)
          : await deps.services.invitations.decline(actor, id);
    } catch (error) {
      await showError(args, deps, error);
      return;
    }
    deps.sync.soon(actor.workspaceId);
    await updateInvitationMessage(messaging, invitation);
    // Pressed on an older DM of an invitation sent again since: that message is settled too.
    const pressed = body.container.type === "message" ? body.message : undefined;
    if (pressed && body.channel && pressed.ts !== invitation.messageTs) {
      const settled = settledInvitationMessage(invitation);
      await client.chat.update({
        channel: body.channel.id,
        ts: pressed.ts,
        text: settled.text,
        blocks: settled.blocks,
      });
    }
    if (body.container.type === "view") await deps.home.publish(actor.workspaceId, actor.userId);
    deps.home.refreshSoon(actor.workspaceId, [actor.userId, invitation.inviterUserId]);
  };
}

/** The list a Resend or Revoke button sat in, redrawn as it now stands with a line on what happened. */
async function redrawList(args: ButtonArgs, deps: SlackDeps, teamName: string, notice: string) {
  const { action, body, client, respond } = args;
  const { team, invitations } = await deps.services.invitations.pending(actorOf(body), teamName);
  const page = Number(/:p(\d{1,6})$/.exec(action.action_id)?.[1] ?? "1");
  const reply: Reply = invitesListReply({ team, invitations, page, now: deps.clock.now() }, notice);
  if (body.container.type === "view") await showInModal(client, body, reply, true);
  else await respond(toSlackMessage(reply, { replaceOriginal: true }));
}

/** Resend on the `/team invites` list: renews the expiry and sends the DM again. */
export function onInvitationResend(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, action, body, client } = args;
    await ack();
    const actor = actorOf(body);
    try {
      const invitation = await deps.services.invitations.resend(actor, invitationId(action.value));
      const messaging = { client, services: deps.services, logger: deps.logger };
      const refused = await deliverInvitations(messaging, [invitation]);
      if (invitation.inviteeUserId) deps.home.refreshSoon(actor.workspaceId, [invitation.inviteeUserId]);
      await redrawList(args, deps, invitation.team.name, resentNotice(invitation, refused.length === 0));
    } catch (error) {
      await showError(args, deps, error);
    }
  };
}

/** Revoke on the `/team invites` list: the invitation can no longer be accepted; its DM says so. */
export function onInvitationRevoke(deps: SlackDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, action, body, client } = args;
    await ack();
    const actor = actorOf(body);
    try {
      const invitation = await deps.services.invitations.revoke(actor, invitationId(action.value));
      await updateInvitationMessage({ client, logger: deps.logger }, invitation);
      const touched = [actor.userId, ...(invitation.inviteeUserId ? [invitation.inviteeUserId] : [])];
      deps.home.refreshSoon(actor.workspaceId, touched);
      await redrawList(args, deps, invitation.team.name, revokedNotice(invitation));
    } catch (error) {
      await showError(args, deps, error);
    }
  };
}
