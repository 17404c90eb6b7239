import { transferredReply } from "../blocks/member.blocks";
import { MAX_POSITIONALS, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";
import { UsageError } from "./usage-error";

/** `/team transfer <team> <user>`: hands ownership over; the old owner stays on as an admin. */
export const teamTransfer: Subcommand = {
  name: "transfer",
  usage: "/team transfer <team> <user>",
  summary: "Hand a team to another member; the old owner becomes an admin.",
  async run({ args, actor, deps }) {
    args.expectOnly([], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const users = namedUsers(args, 1);
    if (users.length > 1) throw new UsageError(`A team has one owner, so name one person: ${args.usage}.`);
    const { ownerId } = await deps.services.teams.get(actor, name);
    const team = await deps.services.members.transfer(actor, name, users[0]);
    return transferredReply(team, users[0], ownerId);
  },
};
