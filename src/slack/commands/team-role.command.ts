import { nameKey } from "../../domain/validation";
import { confirmPreview } from "../blocks/confirm.blocks";
import { roleChangedReply, rolePreview } from "../blocks/member.blocks";
import { MAX_POSITIONALS, memberState, namedUsers } from "./member-change";
import type { Subcommand } from "./subcommand";

/** `/team role <team> <user>… <role>`: the role is the last word; several people are confirmed first. */
export const teamRole: Subcommand = {
  name: "role",
  usage: "/team role <team> <user>… <role>",
  summary: "Give members another role (several people: confirm first).",
  details: [
    "Example: `/team role Platform @alice @bob admin`",
    "Ownership moves only with `/team transfer`.",
  ],
  async run({ args, actor, deps, text, confirmed }) {
    args.expectOnly([], MAX_POSITIONALS);
    const name = args.word(0, "team");
    const roleName = args.word(1, "role (the last word)");
    const users = namedUsers(args, 2);
    const before = await memberState(deps, actor, name);
    const { team } = before;
    const change = () => deps.services.members.changeRole(actor, name, users, roleName);
    if (users.length > 1 && !confirmed) {
      // Rehearsed, so the preview refuses exactly what the change would (permission, role, owner).
      await deps.services.rehearse(change);
    }
    const role = (await deps.services.roles.list(actor)).find((r) => r.nameKey === nameKey(roleName));
    if (users.length > 1 && !confirmed) {
      const rows = users.map((user) => ({ user, from: before.byUser.get(user)?.role.name ?? "" }));
      if (rows.some((r) => r.from !== role?.name))
        return confirmPreview(text, rolePreview(team, rows, role?.name ?? roleName));
    } else {
      await change();
    }
    const had = (user: string) => before.byUser.get(user)?.roleId === role?.id;
    return roleChangedReply(
      team,
      role?.name ?? roleName,
      users.filter((u) => !had(u)),
      users.filter(had),
    );
  },
};
