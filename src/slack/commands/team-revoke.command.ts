import { revokedReply } from "../blocks/access.blocks";
import type { Subcommand } from "./subcommand";

/** `/team revoke <team> <permission>`: takes back a permission granted to the whole team. */
export const teamRevoke: Subcommand = {
  name: "revoke",
  usage: "/team revoke <team> <permission>",
  summary: "Take back a permission granted to a team.",
  async run({ args, actor, deps }) {
    args.expectOnly([], 2);
    const team = args.word(0, "team");
    const permission = args.word(1, "permission").trim().toLowerCase();
    const revoked = await deps.services.access.revoke(actor, team, permission);
    return revokedReply(revoked, permission);
  },
};
