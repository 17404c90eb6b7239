import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { teamCreatedReply } from "../blocks/team.blocks";
import type { SlackDeps } from "../deps";
import { modalErrors } from "./modal-errors";

/** The fields of the create form, read from Slack's `view.state.values`. */
const createForm = z.object({
  name: z.object({ value: z.object({ value: z.string().nullish() }) }),
  description: z.object({ value: z.object({ value: z.string().nullish() }) }).optional(),
  parent: z.object({ value: z.object({ value: z.string().nullish() }) }).optional(),
  channel: z.object({ value: z.object({ selected_conversation: z.string().nullish() }) }).optional(),
  policy: z
    .object({ value: z.object({ selected_option: z.object({ value: z.string() }).nullish() }) })
    .optional(),
  visibility: z
    .object({ value: z.object({ selected_option: z.object({ value: z.string() }).nullish() }) })
    .optional(),
});

const BLOCK_FOR_FIELD = {
  name: "name",
  description: "description",
  parent: "parent",
  team: "parent",
  channel: "channel",
  policy: "policy",
  visibility: "visibility",
};

/** Submitting the create form: errors go back under the field they're about; success closes it. */
export function onTeamCreateSubmitted(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
    client,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: body.team?.id ?? view.team_id, userId: body.user.id };
    try {
      const form = createForm.parse(view.state.values);
      const team = await deps.services.teams.create(actor, {
        name: form.name.value.value ?? "",
        description: form.description?.value.value ?? undefined,
        parent: form.parent?.value.value?.trim() || undefined,
        channelId: form.channel?.value.selected_conversation ?? undefined,
        joinPolicy: form.policy?.value.selected_option?.value as never,
        visibility: form.visibility?.value.selected_option?.value as never,
      });
      await ack();
      const reply = teamCreatedReply(team);
      await client.chat.postMessage({ channel: actor.userId, text: reply.text, blocks: reply.blocks });
      deps.home.refreshSoon(actor.workspaceId, [actor.userId]);
    } catch (error) {
      await ack(
        modalErrors(error, BLOCK_FOR_FIELD, "name", deps.logger, {
          ...actor,
          kind: "view",
          name: view.callback_id,
        }),
      );
    }
  };
}
