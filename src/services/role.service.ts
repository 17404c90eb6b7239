import type { RoleEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../domain/errors";
import { isBuiltInRole, isPermission, OWNER_ONLY, PERMISSIONS } from "../domain/permissions";
import * as valid from "../domain/validation";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";

const MAX_CUSTOM_ROLES = 100;

/** Roles: the built-in three and a workspace's custom roles, which only org admins create or delete. */
export class RoleService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Built-in roles first, then the workspace's custom roles. */
  async list(actor: Actor): Promise<RoleEntity[]> {
    return this.db.read((repos) => repos.roles.list(actor.workspaceId));
  }

  /** Creates a custom role from catalog permissions (org admins only). */
  async create(actor: Actor, name: string, permissions: string[], description = ""): Promise<RoleEntity> {
    await this.requireOrgAdmin(actor, "create roles");
    const roleName = valid.roleName(name);
    const text = valid.description(description);
    if (isBuiltInRole(valid.nameKey(roleName))) {
      throw new Conflict(`${roleName} is a built-in role; choose another name for your custom role.`, "name");
    }
    const chosen = [...new Set(permissions.map((p) => p.trim()).filter(Boolean))];
    if (chosen.length === 0) {
      throw new InvalidInput(
        `A role needs at least one permission, from: ${PERMISSIONS.join(", ")}.`,
        "permissions",
      );
    }
    const unknown = chosen.find((p) => !isPermission(p));
    if (unknown !== undefined) {
      throw new InvalidInput(
        `${valid.describe(unknown)} is not a permission; choose from ${PERMISSIONS.join(", ")}.`,
        "permissions",
      );
    }
    const ownerOnly = chosen.find((p) => OWNER_ONLY.includes(p as never));
    if (ownerOnly) {
      throw new InvalidInput(
        `${ownerOnly} belongs to the team's owner alone and can't be part of a custom role.`,
        "permissions",
      );
    }
    // Every role lets its holders see their team (SPEC: team:view is in all roles), as the policy
    // already assumes; storing it keeps access checks and team search agreeing with the policy.
    if (!chosen.includes("team:view")) chosen.unshift("team:view");
    try {
      return await this.db.transaction(async (repos) => {
        const now = this.clock.now();
        await repos.workspaces.ensure(valid.workspaceId(actor.workspaceId), now);
        const custom = (await repos.roles.list(actor.workspaceId)).filter((r) => !r.builtIn);
        if (custom.length >= MAX_CUSTOM_ROLES) {
          throw new Conflict(
            `A workspace can have at most ${MAX_CUSTOM_ROLES} custom roles; delete one you no longer use.`,
          );
        }
        const role = await repos.roles.insert({
          workspaceId: actor.workspaceId,
          name: roleName,
          nameKey: valid.nameKey(roleName),
          description: text,
          permissions: chosen,
          builtIn: false,
          createdBy: actor.userId,
          createdAt: now,
        });
        await this.audit.record(repos, actor, {
          teamId: null,
          action: "role.created",
          targetType: "role",
          targetId: roleName,
          after: { name: roleName, description: text, permissions: chosen },
        });
        return role;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new Conflict(`A role called ${roleName} already exists; choose another name.`, "name");
      throw error;
    }
  }

  /** Deletes a custom role nobody holds (org admins only). */
  async delete(actor: Actor, name: string): Promise<RoleEntity> {
    await this.requireOrgAdmin(actor, "delete roles");
    return this.db.transaction(async (repos) => {
      const role = await repos.roles.findByName(actor.workspaceId, valid.nameKey(name));
      if (!role)
        throw new NotFound(
          `There is no role called ${valid.describe(name)}; /team roles lists them.`,
          "name",
        );
      if (role.builtIn) throw new InvalidInput(`${role.name} is built in and can't be deleted.`, "name");
      const { members, invitations } = await repos.roles.usage(role.id);
      if (members + invitations > 0) {
        throw new Conflict(
          `${role.name} is still held by ${members} member${members === 1 ? "" : "s"} and ${invitations} pending invitation${invitations === 1 ? "" : "s"}; give them another role first.`,
        );
      }
      await repos.roles.delete(role.id);
      await this.audit.record(repos, actor, {
        teamId: null,
        action: "role.deleted",
        targetType: "role",
        targetId: role.name,
        before: { name: role.name, description: role.description, permissions: role.permissions },
      });
      return role;
    });
  }

  private async requireOrgAdmin(actor: Actor, doing: string): Promise<void> {
    if (!(await this.policy.isOrgAdmin(actor))) {
      throw new Forbidden(`Only org admins (workspace admins and owners, or ORG_ADMINS) can ${doing}.`);
    }
  }
}
