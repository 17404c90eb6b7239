import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import type { TeamEntity } from "../../../entities";
import type { TeamDetails } from "../../services/team.service";
import { settingsView, teamUpdatedReply } from "../blocks/team-admin.blocks";
import type { SlackDeps } from "../deps";
import type { EditTeamMetadata } from "./team-edit.modal";
import { modalErrors } from "./modal-errors";
import { existingTeamForm, TEAM_FORM_BLOCK_FOR_FIELD } from "./team-form";

const metadataSchema = z.object({ team: z.string().min(1), parent: z.string().nullable() });

const folded = (name: string | null) => (name ?? "").normalize("NFKC").trim().toLowerCase();

/** Saving the edit form: errors go back under the field they're about; success closes it and DMs what changed. */
export function onTeamEditSubmitted(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
    client,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const actor = { workspaceId: body.team?.id ?? view.team_id, userId: body.user.id };
    const ids = { ...actor, kind: "view", name: view.callback_id };
    let meta: EditTeamMetadata;
    let before: TeamDetails;
    try {
      meta = metadataSchema.parse(JSON.parse(view.private_metadata));
      before = await deps.services.teams.get(actor, meta.team);
    } catch (error) {
      await ack(modalErrors(error, {}, "name", deps.logger, ids));
      return;
    }
    let updated: TeamEntity;
    let parentChanged = false;
    try {
      const form = existingTeamForm.parse(view.state.values);
      const parent = form.parent?.value.value?.trim() ?? "";
      // Only a changed parent is sent: moving needs team:update in the parent as well.
      parentChanged = folded(parent) !== folded(meta.parent);
      updated = await deps.services.teams.update(actor, meta.team, {
        name: form.name.value.value ?? "",
        description: form.description?.value.value ?? "",
        ...(parentChanged && { parent: parent || null }),
        channelId: form.channel?.value.selected_conversation ?? null,
        joinPolicy: form.policy?.value.selected_option?.value,
        visibility: form.visibility?.value.selected_option?.value,
        resourceSharing: form.sharing?.value.selected_option?.value,
      });
    } catch (error) {
      await ack(modalErrors(error, TEAM_FORM_BLOCK_FOR_FIELD, "name", deps.logger, ids));
      return;
    }
    await ack();
    let parentName = before.parent?.name ?? null;
    if (parentChanged && updated.parentId !== null) {
      // The new parent's name as stored, not as typed.
      parentName = (await deps.services.teams.get(actor, updated.name)).parent?.name ?? null;
    } else if (parentChanged) parentName = null;
    const reply = teamUpdatedReply(
      settingsView(before.team, before.parent?.name ?? null),
      settingsView(updated, parentName),
    );
    await client.chat.postMessage({ channel: actor.userId, text: reply.text, blocks: reply.blocks });
    deps.home.refreshSoon(actor.workspaceId, [actor.userId]);
    deps.sync.soon(actor.workspaceId);
  };
}
