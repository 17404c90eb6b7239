import { confirmPreview } from "../blocks/confirm.blocks";
import { movedReply, movePreview } from "../blocks/member.blocks";
import { MAX_POSITIONALS, memberState, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team move <from-team> <to-team> <user>…`: several people are confirmed first. */
export const teamMove: Subcommand = {
  name: "move",
  usage: "/team move <from-team> <to-team> <user>…",
  summary: "Move members to another team, keeping their roles where allowed (several people: confirm first).",
  details: [
    "Each person keeps their role when you may give it in the new team; otherwise they join it as a member.",
  ],
  async run({ args, actor, deps, text, confirmed }) {
    args.expectOnly([], MAX_POSITIONALS);
    const fromName = args.word(0, "team to move people from");
    const toName = args.word(1, "team to move them to");
    const users = namedUsers(args, 2);
    const from = await memberState(deps, actor, fromName);
    const to = await memberState(deps, actor, toName);
    if (users.length > 1 && !confirmed) {
      // Rehearse the move and read the target team inside it: the preview shows exactly the roles
      // the move would give, and refuses exactly what it would refuse.
      const after = await deps.services.rehearse(async () => {
        await deps.services.members.move(actor, fromName, toName, users);
        return memberState(deps, actor, toName);
      });
      const rows = users.map((user) => ({
        user,
        fromRole: from.byUser.get(user)?.role.name ?? "",
        toRole: after.byUser.get(user)?.role.name ?? "member",
      }));
      return confirmPreview(text, movePreview(from.team, to.team, rows));
    }
    // A Confirm pressed again finds those already moved: report them rather than refuse the rest.
    const already = confirmed ? users.filter((u) => !from.byUser.has(u) && to.byUser.has(u)) : [];
    const remaining = users.filter((u) => !already.includes(u));
    if (remaining.length === 0) return movedReply(from.team, to.team, [], already);
    await deps.services.members.move(actor, fromName, toName, remaining);
    const after = await memberState(deps, actor, toName);
    const moved = remaining.map((user) => ({ user, role: after.byUser.get(user)?.role.name ?? "member" }));
    return movedReply(from.team, to.team, moved, already);
  },
};
