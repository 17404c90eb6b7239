import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import type { TeamEntity } from "../../../entities";
import { teamCreatedReply } from "../blocks/team.blocks";
import type { SlackDeps } from "../deps";
import { modalErrors } from "./modal-errors";
import { newTeamForm, TEAM_FORM_BLOCK_FOR_FIELD } from "./team-form";

/** Submitting the create form: errors go back under the field they're about; success closes it. */
export function onTeamCreateSubmitted(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
    client,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: body.team?.id ?? view.team_id, userId: body.user.id };
    let team: TeamEntity;
    try {
      const form = newTeamForm.parse(view.state.values);
      team = await deps.services.teams.create(actor, {
        name: form.name.value.value ?? "",
        description: form.description?.value.value ?? undefined,
        parent: form.parent?.value.value?.trim() || undefined,
        channelId: form.channel?.value.selected_conversation ?? undefined,
        joinPolicy: form.policy?.value.selected_option?.value as never,
        visibility: form.visibility?.value.selected_option?.value as never,
      });
    } catch (error) {
      await ack(
        modalErrors(error, TEAM_FORM_BLOCK_FOR_FIELD, "name", deps.logger, {
          ...actor,
          kind: "view",
          name: view.callback_id,
        }),
      );
      return;
    }
    // The form closes once the team exists; a failure of the DM after it is not the form's error
    // (and acking again would be refused by Bolt).
    await ack();
    const reply = teamCreatedReply(team);
    deps.home.refreshSoon(actor.workspaceId, [actor.userId]);
    await client.chat.postMessage({ channel: actor.userId, text: reply.text, blocks: reply.blocks });
  };
}
