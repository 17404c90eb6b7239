import type { RoleEntity, TeamEntity } from "../../entities";
import { Forbidden, InvalidInput, NotFound } from "../domain/errors";
import { PERMISSIONS, type Permission } from "../domain/permissions";
import { describe, nameKey } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { Actor } from "./actor";
import type { OrgAdminDirectory } from "./org-admins";

/**
 * The one authorisation policy (SPEC section 2): who may do what in a team. Every service asks it
 * before a change, inside the change's transaction, so the answer can't go stale before the write.
 *
 * - Org admins hold every permission in every team of their workspace.
 * - An active member holds their role's permissions plus the permissions granted to the team.
 * - Anyone in the workspace may view an `organization` team; a `private` team is invisible
 *   (not found) to anyone who is neither a member nor an org admin.
 * - Inactive members hold nothing beyond seeing the team.
 */
export class Policy {
  constructor(private readonly orgAdmins: OrgAdminDirectory) {}

  isOrgAdmin(actor: Actor): Promise<boolean> {
    return this.orgAdmins.isOrgAdmin(actor.workspaceId, actor.userId);
  }

  /** Everything `actor` may do in `team`. */
  async permissions(repos: Repositories, actor: Actor, team: TeamEntity): Promise<Set<Permission>> {
    if (await this.isOrgAdmin(actor)) return new Set(PERMISSIONS);
    const membership = await repos.memberships.find(team.id, actor.userId);
    const held = new Set<Permission>();
    if (team.visibility === "organization" || membership) held.add("team:view");
    if (membership?.status !== "active") return held;
    for (const permission of membership.role.permissions) held.add(permission as Permission);
    for (const grant of await repos.grants.list(team.id)) held.add(grant.permission as Permission);
    return held;
  }

  /** Throws Forbidden, naming the missing permission, unless `actor` holds it in `team`. */
  async require(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    permission: Permission,
    doing: string,
  ): Promise<void> {
    const held = await this.permissions(repos, actor, team);
    if (!held.has(permission)) {
      throw new Forbidden(
        `You need the ${permission} permission in ${team.name} to ${doing}; ask the team's owner or an admin.`,
        permission,
      );
    }
  }

  async canSee(repos: Repositories, actor: Actor, team: TeamEntity): Promise<boolean> {
    if (team.visibility === "organization") return true;
    if (await repos.memberships.find(team.id, actor.userId)) return true;
    return this.isOrgAdmin(actor);
  }

  /**
   * The team called `name` in the actor's workspace, if the actor may see it. With `lock`, the
   * team's row stays locked until the transaction ends (see TeamRepository.lock).
   * A private team the actor can't see is "not found", exactly like a team that doesn't exist.
   */
  async findTeam(
    repos: Repositories,
    actor: Actor,
    name: string,
    options: { lock?: boolean } = {},
  ): Promise<TeamEntity> {
    const key = nameKey(name);
    const team = options.lock
      ? await repos.teams.lockByNameKey(actor.workspaceId, key)
      : await repos.teams.findByNameKey(actor.workspaceId, key);
    if (!team || !(await this.canSee(repos, actor, team))) {
      throw new NotFound(
        `There is no team called ${describe(name)}; /team list shows the teams you can see.`,
        "team",
      );
    }
    return team;
  }

  /**
   * The role called `roleName`, if `actor` may give it to someone in `team`: never `owner` (that
   * takes a transfer), and never a role carrying a permission the actor doesn't hold themselves,
   * so nobody can hand out more than they have.
   */
  async assignableRole(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    roleName: string,
  ): Promise<RoleEntity> {
    const role = await repos.roles.findByName(actor.workspaceId, nameKey(roleName));
    if (!role)
      throw new InvalidInput(
        `There is no role called ${describe(roleName)}; /team roles lists them.`,
        "role",
      );
    if (role.builtIn && role.name === "owner") {
      throw new InvalidInput(
        "A team has exactly one owner; hand ownership over with /team transfer <team> <user>.",
        "role",
      );
    }
    const held = await this.permissions(repos, actor, team);
    const missing = role.permissions.find((p) => !held.has(p as Permission));
    if (missing) {
      throw new Forbidden(
        `You can't give the ${role.name} role in ${team.name}: it carries ${missing}, which you don't hold there.`,
        missing,
      );
    }
    return role;
  }
}
