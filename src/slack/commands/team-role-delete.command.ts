import { roleDeletedReply } from "../blocks/role.blocks";
import type { Subcommand } from "./subcommand";

/** `/team role-delete <name>`: removes a custom role nobody holds (org admins only). */
export const teamRoleDelete: Subcommand = {
  name: "role-delete",
  usage: "/team role-delete <name>",
  summary: "Delete a custom role that nobody holds (org admins).",
  async run({ args, actor, deps }) {
    args.expectOnly([], 1);
    const role = await deps.services.roles.delete(actor, args.word(0, "role"));
    return roleDeletedReply(role);
  },
};
