import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { InvalidInput } from "../../domain/errors";
import { deliverInvites, invitePeople } from "../commands/team-invite.command";
import type { SlackDeps } from "../deps";
import { modalErrors } from "./modal-errors";

const text = z.object({ value: z.object({ value: z.string().nullish() }) });

/** The fields of the invite form, read from Slack's `view.state.values`. */
const inviteForm = z.object({
  team: text,
  users: z.object({ value: z.object({ selected_users: z.array(z.string()).nullish() }) }).optional(),
  emails: text.optional(),
  role: z
    .object({ value: z.object({ selected_option: z.object({ value: z.string() }).nullish() }) })
    .optional(),
});

const BLOCK_FOR_FIELD = { team: "team", users: "users", email: "emails", role: "role" };

/** Submitting the invite form: errors go back under their field; success closes it and DMs the outcome. */
export function onTeamInviteSubmitted(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
    client,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: body.team?.id ?? view.team_id, userId: body.user.id };
    let invited;
    try {
      const form = inviteForm.parse(view.state.values);
      const team = form.team.value.value?.trim();
      if (!team) throw new InvalidInput("Name the team to invite people to.", "team");
      const emails = (form.emails?.value.value ?? "").split(/[\s,;]+/).filter(Boolean);
      const users = form.users?.value.selected_users ?? [];
      const role = form.role?.value.selected_option?.value ?? "member";
      invited = await invitePeople(deps, actor, team, { users, emails }, role);
    } catch (error) {
      await ack(
        modalErrors(error, BLOCK_FOR_FIELD, "team", deps.logger, {
          ...actor,
          kind: "view",
          name: view.callback_id,
        }),
      );
      return;
    }
    // The form closes now; the DMs (slow, one per person) go out after Slack's 3 seconds are safe.
    await ack();
    const reply = await deliverInvites(deps, client, actor, invited);
    await client.chat.postMessage({ channel: actor.userId, text: reply.text, blocks: reply.blocks });
    deps.home.refreshSoon(actor.workspaceId, [actor.userId]);
  };
}
