import { statusChangedReply } from "../blocks/member.blocks";
import { MAX_POSITIONALS, memberState, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team reactivate <team> <user>…`: gives deactivated members their role's permissions back. */
export const teamReactivate: Subcommand = {
  name: "reactivate",
  usage: "/team reactivate <team> <user>…",
  summary: "Reactivate deactivated members.",
  async run({ args, actor, deps }) {
    args.expectOnly([], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const users = namedUsers(args, 1);
    const before = await memberState(deps, actor, name);
    await deps.services.members.reactivate(actor, name, users);
    const was = (user: string) => before.byUser.get(user)?.status === "active";
    return statusChangedReply(
      before.team,
      "active",
      users.filter((u) => !was(u)),
      users.filter(was),
    );
  },
};
