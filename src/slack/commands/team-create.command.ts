import { createTeamModal } from "../views/team-create.modal";
import { teamCreatedReply } from "../blocks/team.blocks";
import type { Subcommand } from "./subcommand";

const VISIBILITY = ["organization", "private"] as const;
const POLICIES = ["open", "approval", "invite_only"] as const;

/** `/team create <name> [parent=…] [channel=…] [policy=…] [visibility=…] [description="…"]`; no arguments opens a modal. */
export const teamCreate: Subcommand = {
  name: "create",
  usage:
    '/team create <name> [parent=<team>] [channel=<#channel>] [policy=open|approval|invite_only] [visibility=organization|private] [description="…"]',
  summary: "Create a team (no arguments: a form).",
  details: ['Example: `/team create "AI Platform" parent=Engineering channel=#ai-platform policy=approval`'],
  async run({ args, actor, deps, client, triggerId }) {
    if (args.isEmpty()) {
      await client.views.open({ trigger_id: triggerId, view: createTeamModal() });
      return undefined;
    }
    args.expectOnly(["parent", "channel", "policy", "visibility", "description"], 1);
    const team = await deps.services.teams.create(actor, {
      name: args.word(0, "team name"),
      parent: args.option("parent"),
      channelId: args.option("channel"),
      joinPolicy: args.oneOf("policy", POLICIES),
      visibility: args.oneOf("visibility", VISIBILITY),
      description: args.option("description"),
    });
    return teamCreatedReply(team);
  },
};
