import { confirmPreview } from "../blocks/confirm.blocks";
import { deactivatePreview, statusChangedReply } from "../blocks/member.blocks";
import { MAX_POSITIONALS, memberState, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team deactivate <team> <user>…`: members stay listed but hold no permissions; several are confirmed first. */
export const teamDeactivate: Subcommand = {
  name: "deactivate",
  usage: "/team deactivate <team> <user>…",
  summary: "Deactivate members: listed, but with no permissions (several people: confirm first).",
  async run({ args, actor, deps, text, confirmed }) {
    args.expectOnly([], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const users = namedUsers(args, 1);
    const before = await memberState(deps, actor, name);
    const { team } = before;
    if (users.length > 1 && !confirmed) {
      await deps.services.rehearse(() => deps.services.members.deactivate(actor, name, users));
      const rows = users.map((user) => ({ user, status: before.byUser.get(user)?.status ?? "active" }));
      if (rows.some((r) => r.status === "active")) return confirmPreview(text, deactivatePreview(team, rows));
    } else {
      await deps.services.members.deactivate(actor, name, users);
    }
    const was = (user: string) => before.byUser.get(user)?.status === "inactive";
    return statusChangedReply(
      team,
      "inactive",
      users.filter((u) => !was(u)),
      users.filter(was),
    );
  },
};
