import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import type { TeamEntity } from "../../../entities";
import type { TeamDetails } from "../../services/team.service";
import { settingsView, teamUpdatedReply } from "../blocks/team-admin.blocks";
import type { SlackDeps } from "../deps";
import type { EditTeamMetadata } from "./team-edit.modal";
import { modalErrors } from "./modal-errors";

const text = z.object({ value: z.object({ value: z.string().nullish() }) });
const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.object({ value: z.object({ selected_option: z.object({ value: z.enum(values) }).nullish() }) });

/** The fields of the edit form, read from Slack's `view.state.values`. */
const editForm = z.object({
  name: text,
  description: text.optional(),
  parent: text.optional(),
  channel: z.object({ value: z.object({ selected_conversation: z.string().nullish() }) }).optional(),
  policy: choice(["open", "approval", "invite_only"]).optional(),
  visibility: choice(["organization", "private"]).optional(),
  sharing: choice(["all_members", "admins_only"]).optional(),
});

const metadataSchema = z.object({ team: z.string().min(1), parent: z.string().nullable() });

const BLOCK_FOR_FIELD = {
  name: "name",
  description: "description",
  parent: "parent",
  // Once the team itself was found, a team not found is the parent typed in the form.
  team: "parent",
  channel: "channel",
  policy: "policy",
  visibility: "visibility",
  sharing: "sharing",
};

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
      const form = editForm.parse(view.state.values);
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
      await ack(modalErrors(error, BLOCK_FOR_FIELD, "name", deps.logger, ids));
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
  };
}
