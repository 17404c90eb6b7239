import { grantedReply } from "../blocks/access.blocks";
import type { Subcommand } from "./subcommand";

/** `/team grant <team> <permission>`: every active member of the team then holds the permission there. */
export const teamGrant: Subcommand = {
  name: "grant",
  usage: "/team grant <team> <permission>",
  summary: "Grant a permission to every member of a team.",
  details: ["Example: `/team grant Platform limits:manage` · `/team roles` lists the permissions."],
  async run({ args, actor, deps }) {
    args.expectOnly([], 2);
    const team = args.word(0, "team");
    // Catalog permissions are lowercase; accept them in any case.
    const permission = args.word(1, "permission").trim().toLowerCase();
    const granted = await deps.services.access.grant(actor, team, permission);
    return grantedReply(granted, permission);
  },
};
