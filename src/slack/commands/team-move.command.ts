import { Conflict, InvalidInput } from "../../domain/errors";
import { confirmPreview } from "../blocks/confirm.blocks";
import { movedReply, movePreview } from "../blocks/member.blocks";
import {
  MAX_POSITIONALS,
  memberState,
  namedUsers,
  requireChangeable,
  requirePermission,
} from "./member-change";
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
      if (from.team.id === to.team.id) {
        throw new InvalidInput(`Both teams are ${from.team.name}; name two different teams.`, "team");
      }
      await requirePermission(
        deps,
        actor,
        from.team,
        "members:manage",
        `move people out of ${from.team.name}`,
      );
      const held = new Set<string>(
        await requirePermission(deps, actor, to.team, "members:manage", `move people into ${to.team.name}`),
      );
      const rows = requireChangeable(from, users, "transfer its ownership before moving them").map((m) => {
        if (to.byUser.has(m.userId)) throw new Conflict(`<@${m.userId}> is already in ${to.team.name}.`);
        // The service's rule: a role carrying anything the mover doesn't hold in the target becomes member.
        const keep = m.role.permissions.every((p) => held.has(p));
        return { user: m.userId, fromRole: m.role.name, toRole: keep ? m.role.name : "member" };
      });
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
