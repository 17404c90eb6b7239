import { rolesReply } from "../blocks/role.blocks";
import type { Subcommand } from "./subcommand";

/** `/team roles`: the built-in and custom roles, and what each catalog permission allows. */
export const teamRoles: Subcommand = {
  name: "roles",
  usage: "/team roles [page=<n>]",
  summary: "Every role with its permissions, and what each permission allows.",
  async run({ args, actor, deps }) {
    args.expectOnly(["page"], 0);
    const page = args.int("page", { min: 1, max: 100_000 });
    const roles = await deps.services.roles.list(actor);
    return rolesReply(roles, page);
  },
};
