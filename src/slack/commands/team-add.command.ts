import { addedReply } from "../blocks/member.blocks";
import { MAX_POSITIONALS, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team add <team> <user>… [role=<role>]`: admins add people directly, with no invitation. */
export const teamAdd: Subcommand = {
  name: "add",
  usage: "/team add <team> <user>… [role=<role>]",
  summary: "Add people to a team directly (admins; no invitation).",
  details: ["Example: `/team add Platform @alice @bob role=admin`"],
  async run({ args, actor, deps }) {
    args.expectOnly(["role"], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const users = namedUsers(args, 1);
    const role = args.option("role") ?? "member";
    const { team } = await deps.services.teams.get(actor, name);
    const { added, already } = await deps.services.members.add(actor, name, users, role);
    return addedReply(team, role, added, already);
  },
};
