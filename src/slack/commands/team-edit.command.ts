import { Forbidden } from "../../domain/errors";
import { editTeamModal } from "../views/team-edit.modal";
import type { Subcommand } from "./subcommand";

/** `/team edit <team>`: the team's settings in a form, filled in with what they are now. */
export const teamEdit: Subcommand = {
  name: "edit",
  usage: "/team edit <team>",
  summary: "Change a team's settings in a form.",
  async run({ args, actor, deps, client, triggerId }) {
    args.expectOnly([], 1);
    const details = await deps.services.teams.get(actor, args.word(0, "team"));
    // A form that can only end in a refusal wastes the user's typing: refuse before opening it.
    // The service asks the policy again when the form is submitted.
    if (!details.viewerPermissions.includes("team:update")) {
      const { name } = details.team;
      throw new Forbidden(
        `You need the team:update permission in ${name} to change ${name}; ask the team's owner or an admin.`,
        "team:update",
      );
    }
    await client.views.open({ trigger_id: triggerId, view: editTeamModal(details) });
    return undefined;
  },
};
