import { sharedReply } from "../blocks/access.blocks";
import type { Subcommand } from "./subcommand";
import { commaList } from "./team-role-create.command";

/**
 * `/team share <team> <type>:<id> <permission,…>`. The resource is one word to the grammar
 * (`model:gpt-4o`); the service checks its form. Sharing again replaces the permissions.
 */
export const teamShare: Subcommand = {
  name: "share",
  usage: "/team share <team> <type>:<id> <permission,…>",
  summary: "Share a resource (like model:gpt-4o) with a team.",
  details: [
    "Example: `/team share Platform model:gpt-4o read,execute` · sharing again replaces the permissions.",
  ],
  async run({ args, actor, deps }) {
    args.expectOnly([], Number.MAX_SAFE_INTEGER);
    const team = args.word(0, "team");
    const resource = args.word(1, "resource (type:id, like model:gpt-4o)");
    const permissions = commaList(args, 2, "permissions (like read,execute)");
    const shared = await deps.services.access.share(actor, team, resource, permissions);
    return sharedReply(shared, resource.trim(), permissions);
  },
};
