import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { createTeamModal } from "../views/team-create.modal";

/** "Create a team" on the App Home opens the same form as `/team create`. */
export async function onHomeCreateTeam({
  ack,
  body,
  client,
}: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> {
  await ack();
  await client.views.open({ trigger_id: body.trigger_id, view: createTeamModal() });
}
