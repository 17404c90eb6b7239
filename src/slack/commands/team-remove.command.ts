import { confirmPreview } from "../blocks/confirm.blocks";
import { removedReply, removePreview } from "../blocks/member.blocks";
import { MAX_POSITIONALS, memberState, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team remove <team> <user>…`: several people are confirmed first. */
export const teamRemove: Subcommand = {
  name: "remove",
  usage: "/team remove <team> <user>…",
  summary: "Remove members from a team (several people: confirm first).",
  async run({ args, actor, deps, text, confirmed }) {
    args.expectOnly([], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const users = namedUsers(args, 1);
    const before = await memberState(deps, actor, name);
    const { team } = before;
    if (users.length > 1 && !confirmed) {
      await deps.services.rehearse(() => deps.services.members.remove(actor, name, users));
      const rows = users.map((user) => ({ user, role: before.byUser.get(user)?.role.name ?? "" }));
      return confirmPreview(text, removePreview(team, rows));
    }
    // A Confirm pressed again (or after someone else acted) finds some already gone: that is
    // what the preview asked for, so say so rather than refuse the rest.
    const gone = confirmed ? users.filter((u) => !before.byUser.has(u)) : [];
    const remaining = users.filter((u) => !gone.includes(u));
    if (remaining.length > 0) await deps.services.members.remove(actor, name, remaining);
    return removedReply(team, remaining, gone);
  },
};
