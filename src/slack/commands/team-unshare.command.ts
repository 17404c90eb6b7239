import { unsharedReply } from "../blocks/access.blocks";
import type { Subcommand } from "./subcommand";

/** `/team unshare <team> <type>:<id>`: the team can no longer use the resource. */
export const teamUnshare: Subcommand = {
  name: "unshare",
  usage: "/team unshare <team> <type>:<id>",
  summary: "Stop sharing a resource with a team.",
  async run({ args, actor, deps }) {
    args.expectOnly([], 2);
    const team = args.word(0, "team");
    const resource = args.word(1, "resource (type:id, like model:gpt-4o)");
    const unshared = await deps.services.access.unshare(actor, team, resource);
    return unsharedReply(unshared, resource.trim());
  },
};
