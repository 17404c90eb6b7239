/** The permission catalog of SPEC section 2. Custom roles and team grants choose from it. */
export const PERMISSIONS = [
  "team:view",
  "team:update",
  "members:manage",
  "invites:manage",
  "joins:decide",
  "limits:manage",
  "usage:view_all",
  "keys:manage",
  "team:delete",
  "team:transfer",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const BUILT_IN_ROLES = ["owner", "admin", "member"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

/**
 * Permissions that only ownership carries. They can't be put in a custom role or granted to a
 * team: that would make a second owner in all but name.
 */
export const OWNER_ONLY: readonly Permission[] = ["team:delete", "team:transfer"];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function isBuiltInRole(value: string): value is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(value);
}
