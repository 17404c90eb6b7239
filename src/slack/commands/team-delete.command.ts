import { confirmPreview } from "../blocks/confirm.blocks";
import { teamDeletedReply, teamDeleteSummary } from "../blocks/team-admin.blocks";
import type { Subcommand } from "./subcommand";

/**
 * `/team delete <team>`: first a preview of everything that goes with the team, then, on Confirm,
 * the delete itself (the service checks team:delete and sub-teams again at that moment).
 */
export const teamDelete: Subcommand = {
  name: "delete",
  usage: "/team delete <team>",
  summary: "Delete a team and everything in it (asks to confirm).",
  async run({ args, actor, deps, text, confirmed }) {
    args.expectOnly([], 1);
    const name = args.word(0, "team");
    if (confirmed) return teamDeletedReply(await deps.services.teams.delete(actor, name));

    // A Confirm button that could only lead to a refusal would be a trap: rehearse the delete, so
    // the preview refuses exactly what the delete would (team:delete, sub-teams).
    await deps.services.rehearse(() => deps.services.teams.delete(actor, name));
    const details = await deps.services.teams.get(actor, name);
    const { members } = await deps.services.members.list(actor, name);
    const access = await deps.services.access.list(actor, name);
    const summary = teamDeleteSummary(
      details,
      { total: members.length, inactive: members.filter((m) => m.status === "inactive").length },
      { grants: access.grants.length, resources: access.resources.length },
    );
    return confirmPreview(text, summary, "Delete team");
  },
};
