import type { SharedResourceEntity, TeamEntity, TeamGrantEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../domain/errors";
import { isPermission, OWNER_ONLY, PERMISSIONS, type Permission } from "../domain/permissions";
import { describe } from "../domain/validation";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";

export interface ResourceRef {
  type: string;
  id: string;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string;
}

const RESOURCE_TYPE = /^[a-z][a-z0-9_-]{0,63}$/;
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,190}$/;
const RESOURCE_PERMISSION = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_RESOURCE_PERMISSIONS = 20;

/** Parses `type:id` (like `model:gpt-4o`), throwing one clear sentence when it isn't one. */
export function parseResource(raw: string): ResourceRef {
  const at = raw.indexOf(":");
  const ref = { type: raw.slice(0, at), id: raw.slice(at + 1) };
  if (at < 1 || !RESOURCE_TYPE.test(ref.type) || !RESOURCE_ID.test(ref.id)) {
    throw new InvalidInput(
      `${describe(raw)} is not a resource; write it as type:id, like model:gpt-4o.`,
      "resource",
    );
  }
  return ref;
}

/**
 * What a team may use beyond its roles: permissions granted to the whole team, and resources
 * shared with it. Also answers the AI platform's question "may this user do this?".
 */
export class AccessService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The team's grants and shared resources (team:view). */
  async list(
    actor: Actor,
    teamName: string,
  ): Promise<{ team: TeamEntity; grants: TeamGrantEntity[]; resources: SharedResourceEntity[] }> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      return {
        team,
        grants: await repos.grants.list(team.id),
        resources: await repos.resources.list(team.id),
      };
    });
  }

  /**
   * Grants a catalog permission to every active member of the team (team:update). Owner-only
   * permissions can't be granted, and nobody grants a permission they don't hold themselves.
   */
  async grant(actor: Actor, teamName: string, permission: string): Promise<TeamEntity> {
    const granted = grantable(permission);
    try {
      return await this.db.transaction(async (repos) => {
        const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
        await this.policy.require(repos, actor, team, "team:update", `grant permissions in ${team.name}`);
        await this.policy.require(repos, actor, team, granted, `grant ${granted}`);
        if (await repos.grants.find(team.id, granted)) throw alreadyGranted(team, granted);
        await repos.grants.insert({
          workspaceId: team.workspaceId,
          teamId: team.id,
          permission: granted,
          grantedBy: actor.userId,
          createdAt: this.clock.now(),
        });
        await this.audit.record(repos, actor, {
          teamId: team.id,
          action: "grant.added",
          targetType: "permission",
          targetId: granted,
          after: { permission: granted },
        });
        return team;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict(`${granted} is already granted to that team.`);
      throw error;
    }
  }

  async revoke(actor: Actor, teamName: string, permission: string): Promise<TeamEntity> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "team:update", `revoke permissions in ${team.name}`);
      const grant = await repos.grants.find(team.id, permission.trim());
      if (!grant) {
        throw new NotFound(
          `${describe(permission)} isn't granted to ${team.name}; /team info ${team.name} lists its grants.`,
          "permission",
        );
      }
      await repos.grants.delete(grant.id);
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: "grant.removed",
        targetType: "permission",
        targetId: grant.permission,
        before: { permission: grant.permission },
      });
      return team;
    });
  }

  /** Shares a resource with the team with these permissions (team:update); sharing again replaces them. */
  async share(actor: Actor, teamName: string, resource: string, permissions: string[]): Promise<TeamEntity> {
    const ref = parseResource(resource.trim());
    const chosen = [...new Set(permissions.map((p) => p.trim()).filter(Boolean))];
    if (
      chosen.length === 0 ||
      chosen.length > MAX_RESOURCE_PERMISSIONS ||
      !chosen.every((p) => RESOURCE_PERMISSION.test(p))
    ) {
      throw new InvalidInput(
        `Give 1 to ${MAX_RESOURCE_PERMISSIONS} permissions as lowercase words separated by commas, like read,execute.`,
        "permissions",
      );
    }
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "team:update", `share resources with ${team.name}`);
      const existing = await repos.resources.find(team.id, ref.type, ref.id);
      if (existing) await repos.resources.updatePermissions(existing.id, chosen);
      else {
        await repos.resources.insert({
          workspaceId: team.workspaceId,
          teamId: team.id,
          resourceType: ref.type,
          resourceId: ref.id,
          permissions: chosen,
          sharedBy: actor.userId,
          createdAt: this.clock.now(),
        });
      }
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: existing ? "resource.reshared" : "resource.shared",
        targetType: "resource",
        targetId: `${ref.type}:${ref.id}`,
        before: existing ? { permissions: existing.permissions } : null,
        after: { permissions: chosen },
      });
      return team;
    });
  }

  async unshare(actor: Actor, teamName: string, resource: string): Promise<TeamEntity> {
    const ref = parseResource(resource.trim());
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(
        repos,
        actor,
        team,
        "team:update",
        `stop sharing resources with ${team.name}`,
      );
      const existing = await repos.resources.find(team.id, ref.type, ref.id);
      if (!existing) throw new NotFound(`${ref.type}:${ref.id} isn't shared with ${team.name}.`, "resource");
      await repos.resources.delete(existing.id);
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: "resource.unshared",
        targetType: "resource",
        targetId: `${ref.type}:${ref.id}`,
        before: { permissions: existing.permissions },
      });
      return team;
    });
  }

  /**
   * May `userId` do `permission` in the team (through role, org admin or team grant), or, with a
   * resource, use it that way (through a share, honouring the team's resourceSharing)? The reason
   * names what allowed or refused it.
   */
  async check(
    workspaceId: string,
    teamId: number,
    userId: string,
    permission: string,
    resource?: string,
  ): Promise<AccessDecision> {
    const actor = { workspaceId, userId };
    const ref = resource === undefined ? undefined : parseResource(resource);
    return this.db.read(async (repos) => {
      const team = await repos.teams.findById(workspaceId, teamId);
      if (!team) throw new NotFound("That team no longer exists.", "team");
      const orgAdmin = await this.policy.isOrgAdmin(actor);
      const membership = await repos.memberships.find(team.id, userId);
      if (!orgAdmin && !membership) return { allowed: false, reason: `not a member of ${team.name}` };
      if (!orgAdmin && membership?.status !== "active")
        return { allowed: false, reason: `inactive in ${team.name}` };
      const who = orgAdmin ? "org admin" : `role ${membership!.role.name}`;

      if (ref) {
        const share = await repos.resources.find(team.id, ref.type, ref.id);
        const name = `${ref.type}:${ref.id}`;
        if (!share) return { allowed: false, reason: `${name} is not shared with ${team.name}` };
        if (!share.permissions.includes(permission)) {
          return {
            allowed: false,
            reason: `${name} is shared with ${team.name} for ${share.permissions.join(", ")}, not ${permission}`,
          };
        }
        const isAdmin = orgAdmin || membership!.role.name === "owner" || membership!.role.name === "admin";
        if (team.resourceSharing === "admins_only" && !isAdmin) {
          return {
            allowed: false,
            reason: `${team.name} shares resources with its admins only, and this user has ${who}`,
          };
        }
        return { allowed: true, reason: `${name} is shared with ${team.name} for ${permission}` };
      }

      if (!isPermission(permission)) {
        throw new InvalidInput(
          `${describe(permission)} is not a permission; use one of ${PERMISSIONS.join(", ")}.`,
          "permission",
        );
      }
      if (orgAdmin) return { allowed: true, reason: "org admin" };
      if (membership!.role.permissions.includes(permission))
        return { allowed: true, reason: `${who} includes ${permission}` };
      if (await repos.grants.find(team.id, permission))
        return { allowed: true, reason: `${permission} is granted to ${team.name}` };
      return { allowed: false, reason: `${who} lacks ${permission}, and it is not granted to ${team.name}` };
    });
  }
}

function grantable(permission: string): Permission {
  const value = permission.trim();
  if (!isPermission(value)) {
    throw new InvalidInput(
      `${describe(value)} is not a permission; choose from ${PERMISSIONS.join(", ")}.`,
      "permission",
    );
  }
  if (OWNER_ONLY.includes(value)) {
    throw new Forbidden(
      `${value} belongs to the team's owner alone and can't be granted to a whole team.`,
      value,
    );
  }
  return value;
}

function alreadyGranted(team: TeamEntity, permission: string): Conflict {
  return new Conflict(`${permission} is already granted to ${team.name}.`);
}
