import { editTeamModal } from "../views/team-edit.modal";
import type { Subcommand } from "./subcommand";

/** `/team edit <team>`: the team's settings in a form, filled in with what they are now. */
export const teamEdit: Subcommand = {
  name: "edit",
  usage: "/team edit <team>",
  summary: "Change a team's settings in a form.",
  async run({ args, actor, deps, client, triggerId }) {
    args.expectOnly([], 1);
    const name = args.word(0, "team");
    // A form that can only end in a refusal wastes the user's typing: rehearse an update first.
    // The service asks the policy again when the form is submitted.
    await deps.services.rehearse(() => deps.services.teams.update(actor, name, {}));
    const details = await deps.services.teams.get(actor, name);
    await client.views.open({ trigger_id: triggerId, view: editTeamModal(details) });
    return undefined;
  },
};
