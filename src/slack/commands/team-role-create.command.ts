import { roleCreatedReply } from "../blocks/role.blocks";
import type { Args } from "./grammar";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

/**
 * The comma-separated list that ends a command (`joins:decide,usage:view_all`), from the `from`-th
 * positional on. People put spaces after commas, so every remaining word is part of the list;
 * permissions are lowercase, so any case is accepted. Mentions, channels and emails are refused.
 */
export function commaList(args: Args, from: number, what: string): string[] {
  const tokens = args.positionals();
  const other = tokens.find((t) => t.kind !== "word");
  if (other) {
    const shown =
      other.kind === "user"
        ? `<@${other.id}>`
        : other.kind === "channel"
          ? `<#${other.id}>`
          : `“${clip(other.kind === "email" ? other.value : "")}”`;
    throw new UsageError(`Unexpected ${shown}; write the command like this: ${args.usage}.`);
  }
  const items = tokens
    .slice(from)
    .flatMap((t) => (t.kind === "word" ? t.value.split(",") : []))
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`Name the ${what}: ${args.usage}.`);
  return [...new Set(items)];
}

/** `/team role-create <name> <permission,…> [description="…"]`: a custom role (org admins only). */
export const teamRoleCreate: Subcommand = {
  name: "role-create",
  usage: '/team role-create <name> <permission,…> [description="…"]',
  summary: "Create a custom role from catalog permissions (org admins).",
  details: [
    'Example: `/team role-create reviewer joins:decide,usage:view_all description="Approves requests"`',
    "`/team roles` lists the permissions you can choose from.",
  ],
  async run({ args, actor, deps }) {
    args.expectOnly(["description"], Number.MAX_SAFE_INTEGER);
    const name = args.word(0, "role");
    const permissions = commaList(args, 1, "permissions (like joins:decide,usage:view_all)");
    const role = await deps.services.roles.create(actor, name, permissions, args.option("description"));
    return roleCreatedReply(role);
  },
};
