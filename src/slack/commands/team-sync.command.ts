import { confirmPreview } from "../blocks/confirm.blocks";
import { syncConfirmLabel, syncedReply, syncPreview, syncStoppedReply } from "../blocks/team-sync.blocks";
import { parseCommand } from "./grammar";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

/**
 * `/team sync <team> [handle=<name>]`: a Slack user group `@handle` and the team's channel hold
 * the team's active members, now and after every change (team:update). Removing people from a
 * channel can't be undone by Roster, so when the channel has people who aren't active members the
 * command first shows who would go and acts on Confirm. `off` stops the sync.
 */
export const teamSync: Subcommand = {
  name: "sync",
  usage: "/team sync <team> [handle=<name>] [off]",
  summary: "Keep a Slack user group and the team channel in step with the team's active members.",
  details: [
    "The user group's handle is the team's name in lowercase (`AI Platform` → `@ai-platform`) unless you give `handle=`; give it again to change it.",
    "Active members are added to the group and invited to the channel; people who leave the team or are deactivated come out of both, and so does anyone else in the channel (you confirm that first). Other apps' bots stay.",
    "It stays in step after every change, and Roster checks every 15 minutes. Workspaces without user groups (Slack's free plan) get the channel only.",
    "Roster must be in the channel: `/invite @roster` there first. `/team sync <team> off` stops it; the group and the channel stay as they are.",
  ],
  async run({ args, actor, deps, text, confirmed }) {
    const name = args.word(0, "team");
    const off = args.flag("off");
    args.expectOnly(["handle"], 1);
    const handle = args.option("handle");
    const handleToken = parseCommand(text).tokens.find((t) => t.kind === "option" && t.key === "handle");
    if (handleToken?.kind === "option" && handleToken.valueToken.kind !== "word") {
      throw new UsageError(
        `Give handle= a name for the user group, like handle=platform-team, not a person or a channel: ${args.usage}.`,
      );
    }
    if (off) {
      if (handle !== undefined) {
        throw new UsageError(`Leave out handle= to stop a sync, like /team sync ${clip(name)} off.`);
      }
      const { team, sync } = await deps.services.teamSync.stop(actor, name);
      return syncStoppedReply(team, sync);
    }
    const plan = await deps.sync.plan(actor, name, { handle });
    if ((plan.channel?.remove.length ?? 0) > 0 && !confirmed) {
      return confirmPreview(text, syncPreview(plan), syncConfirmLabel(plan));
    }
    return syncedReply(await deps.sync.apply(actor, plan));
  },
};
