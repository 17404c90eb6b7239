import type { MembershipStatus, RoleEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../domain/errors";
import type { Permission } from "../domain/permissions";
import { nameKey, userId as validUserId } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { MemberWithRole } from "../repositories/membership.repository";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";
import { membershipSnapshot } from "./snapshots";

export type JoinOutcome =
  { outcome: "joined"; team: TeamEntity } | { outcome: "needs_approval"; team: TeamEntity };

export interface MemberFilter {
  role?: string;
  status?: MembershipStatus;
}

const MAX_USERS_PER_CHANGE = 500;

/**
 * Members and their roles. The rule every method keeps: each team has exactly one owner at every
 * moment. The owner can't leave, be removed, be deactivated or change role except by handing
 * ownership to someone else with `transfer`. Every change locks the team first (see
 * TeamRepository.lock), so concurrent changes to one team apply one after the other.
 */
export class MemberService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The team's members (team:view), optionally only one role or status. */
  async list(
    actor: Actor,
    teamName: string,
    filter: MemberFilter = {},
  ): Promise<{ team: TeamEntity; members: MemberWithRole[] }> {
    if (filter.status !== undefined && filter.status !== "active" && filter.status !== "inactive") {
      throw new InvalidInput("status is active or inactive, like status=inactive.", "status");
    }
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.policy.require(repos, actor, team, "team:view", `see the members of ${team.name}`);
      let roleId: number | undefined;
      if (filter.role !== undefined) {
        const role = await repos.roles.findByName(actor.workspaceId, nameKey(filter.role));
        if (!role)
          throw new InvalidInput(`There is no role called “${filter.role}”; /team roles lists them.`, "role");
        roleId = role.id;
      }
      return { team, members: await repos.memberships.list(team.id, { roleId, status: filter.status }) };
    });
  }

  /**
   * Adds people directly (members:manage), with `roleName` (default member). People already in the
   * team are reported back, not changed; if every one of them is already in, that's a Conflict.
   */
  async add(
    actor: Actor,
    teamName: string,
    userIds: string[],
    roleName = "member",
  ): Promise<{ added: string[]; already: string[] }> {
    const users = this.validUsers(userIds);
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "members:manage", `add people to ${team.name}`);
      const role = await this.policy.assignableRole(repos, actor, team, roleName);
      const added: string[] = [];
      const already: string[] = [];
      for (const user of users) {
        if (await repos.memberships.find(team.id, user)) {
          already.push(user);
          continue;
        }
        await this.insertMember(repos, actor, team, user, role.id, role.name, "member.added");
        added.push(user);
      }
      if (added.length === 0) {
        throw new Conflict(
          users.length === 1
            ? `<@${users[0]}> is already in ${team.name}; use /team role or /team reactivate to change how.`
            : `Everyone you named is already in ${team.name}.`,
        );
      }
      return { added, already };
    });
  }

  /** Joins a team as `actor` themselves, as its join policy allows. */
  async join(actor: Actor, teamName: string): Promise<JoinOutcome> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      const existing = await repos.memberships.find(team.id, actor.userId);
      if (existing?.status === "active") throw new Conflict(`You're already a member of ${team.name}.`);
      if (existing) {
        throw new Conflict(
          `You're in ${team.name} but deactivated; ask one of its admins to reactivate you.`,
        );
      }
      if (team.joinPolicy === "invite_only") {
        const owner = await repos.memberships.owner(team.id);
        throw new Forbidden(
          `${team.name} is invite-only; ask ${owner ? `<@${owner.userId}>` : "its owner"} or one of its admins to invite you.`,
          "invites:manage",
        );
      }
      if (team.joinPolicy === "approval") return { outcome: "needs_approval", team };
      const member = await repos.roles.findBuiltIn("member");
      await this.insertMember(
        repos,
        actor,
        team,
        validUserId(actor.userId),
        member.id,
        member.name,
        "member.joined",
      );
      return { outcome: "joined", team };
    });
  }

  /** Leaves a team. The owner must transfer ownership first. */
  async leave(actor: Actor, teamName: string): Promise<TeamEntity> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      const membership = await repos.memberships.find(team.id, actor.userId);
      if (!membership) throw new NotFound(`You're not a member of ${team.name}.`);
      if (membership.ownerMarker) {
        throw new Conflict(
          `You own ${team.name}; hand it to someone else with /team transfer ${quote(team.name)} @user before leaving.`,
        );
      }
      await repos.memberships.delete(membership);
      await this.record(repos, actor, team, "member.left", membership, null);
      return team;
    });
  }

  /** Removes members (members:manage). Everyone named must be a member, and none the owner. */
  async remove(actor: Actor, teamName: string, userIds: string[]): Promise<string[]> {
    return this.changeEach(
      actor,
      teamName,
      userIds,
      "remove people from",
      async (repos, team, membership) => {
        await repos.memberships.delete(membership);
        await this.record(repos, actor, team, "member.removed", membership, null);
      },
    );
  }

  /** Gives members another role (members:manage); never `owner`, which takes a transfer. */
  async changeRole(actor: Actor, teamName: string, userIds: string[], roleName: string): Promise<string[]> {
    let role: RoleEntity | undefined;
    return this.changeEach(actor, teamName, userIds, "change roles in", async (repos, team, membership) => {
      role ??= await this.policy.assignableRole(repos, actor, team, roleName);
      if (role.id === membership.roleId) return;
      await repos.memberships.setRole(membership.id, role.id, false, this.clock.now());
      await this.record(repos, actor, team, "member.role_changed", membership, { ...membership, role });
    });
  }

  /** Deactivates members (members:manage): they stay listed but hold no permissions. */
  async deactivate(actor: Actor, teamName: string, userIds: string[]): Promise<string[]> {
    return this.setStatus(actor, teamName, userIds, "inactive");
  }

  async reactivate(actor: Actor, teamName: string, userIds: string[]): Promise<string[]> {
    return this.setStatus(actor, teamName, userIds, "active");
  }

  /**
   * Hands ownership to another active member (team:transfer). The old owner becomes an admin.
   * Under the team lock, a second transfer racing this one finds the actor no longer owner.
   */
  async transfer(actor: Actor, teamName: string, newOwnerId: string): Promise<TeamEntity> {
    const newOwner = validUserId(newOwnerId);
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "team:transfer", `hand over ${team.name}`);
      const target = await repos.memberships.find(team.id, newOwner);
      if (!target)
        throw new NotFound(`<@${newOwner}> isn't in ${team.name}; add them first, then transfer.`, "user");
      if (target.ownerMarker) throw new InvalidInput(`<@${newOwner}> already owns ${team.name}.`, "user");
      if (target.status !== "active") {
        throw new InvalidInput(
          `<@${newOwner}> is deactivated in ${team.name}; reactivate them before making them owner.`,
          "user",
        );
      }
      const current = await repos.memberships.owner(team.id);
      const [admin, owner] = [await repos.roles.findBuiltIn("admin"), await repos.roles.findBuiltIn("owner")];
      const now = this.clock.now();
      // Clear the old owner's marker before setting the new one: the unique index allows one at a time.
      if (current) await repos.memberships.setRole(current.id, admin.id, false, now);
      await repos.memberships.setRole(target.id, owner.id, true, now);
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: "team.transferred",
        targetType: "team",
        targetId: String(team.id),
        before: { ownerId: current?.userId ?? null },
        after: { ownerId: newOwner },
      });
      return team;
    });
  }

  /**
   * Moves members from one team to another (members:manage in both), keeping each one's status,
   * and their role when the actor may give it in the target team (else they become members).
   */
  async move(
    actor: Actor,
    fromName: string,
    toName: string,
    userIds: string[],
  ): Promise<{ moved: string[]; to: TeamEntity }> {
    const users = this.validUsers(userIds);
    return this.db.transaction(async (repos) => {
      const from = await this.policy.findTeam(repos, actor, fromName, { lock: true });
      const to = await this.policy.findTeam(repos, actor, toName, { lock: true });
      if (from.id === to.id)
        throw new InvalidInput(`Both teams are ${from.name}; name two different teams.`, "team");
      await this.policy.require(repos, actor, from, "members:manage", `move people out of ${from.name}`);
      await this.policy.require(repos, actor, to, "members:manage", `move people into ${to.name}`);
      const memberRole = await repos.roles.findBuiltIn("member");
      const toPermissions = await this.policy.permissions(repos, actor, to);
      for (const user of users) {
        const membership = await this.existingMember(repos, from, user);
        if (membership.ownerMarker) {
          throw new Conflict(`<@${user}> owns ${from.name}; transfer its ownership before moving them.`);
        }
        if (await repos.memberships.find(to.id, user))
          throw new Conflict(`<@${user}> is already in ${to.name}.`);
        const keep = membership.role.permissions.every((p) => toPermissions.has(p as Permission));
        const role = keep ? membership.role : memberRole;
        await repos.memberships.delete(membership);
        await this.record(repos, actor, from, "member.moved_out", membership, null);
        await this.insertMember(
          repos,
          actor,
          to,
          user,
          role.id,
          role.name,
          "member.moved_in",
          membership.status,
        );
      }
      return { moved: users, to };
    });
  }

  private async setStatus(
    actor: Actor,
    teamName: string,
    userIds: string[],
    status: MembershipStatus,
  ): Promise<string[]> {
    const doing = status === "active" ? "reactivate people in" : "deactivate people in";
    return this.changeEach(actor, teamName, userIds, doing, async (repos, team, membership) => {
      if (membership.status === status) return;
      await repos.memberships.setStatus(membership, status, this.clock.now());
      const action = status === "active" ? "member.reactivated" : "member.deactivated";
      await this.record(repos, actor, team, action, membership, { ...membership, status });
    });
  }

  /**
   * Applies `change` to each named member in one transaction: if any of them can't be changed
   * (not a member, or the owner), nothing is.
   */
  private async changeEach(
    actor: Actor,
    teamName: string,
    userIds: string[],
    doing: string,
    change: (repos: Repositories, team: TeamEntity, membership: MemberWithRole) => Promise<void>,
  ): Promise<string[]> {
    const users = this.validUsers(userIds);
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "members:manage", `${doing} ${team.name}`);
      for (const user of users) {
        const membership = await this.existingMember(repos, team, user);
        if (membership.ownerMarker) {
          throw new Conflict(
            `<@${user}> owns ${team.name}; hand ownership to someone else with /team transfer first.`,
          );
        }
        await change(repos, team, membership);
      }
      return users;
    });
  }

  private async existingMember(repos: Repositories, team: TeamEntity, user: string): Promise<MemberWithRole> {
    const membership = await repos.memberships.find(team.id, user);
    if (!membership) throw new NotFound(`<@${user}> isn't a member of ${team.name}.`, "user");
    return membership;
  }

  private async insertMember(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    user: string,
    roleId: number,
    roleName: string,
    action: string,
    status: MembershipStatus = "active",
  ): Promise<void> {
    const now = this.clock.now();
    const membership = await repos.memberships.insert({
      workspaceId: team.workspaceId,
      teamId: team.id,
      userId: user,
      roleId,
      ownerMarker: null,
      status,
      joinedAt: now,
      updatedAt: now,
    });
    await this.audit.record(repos, actor, {
      teamId: team.id,
      action,
      targetType: "user",
      targetId: user,
      after: membershipSnapshot(membership, roleName),
    });
  }

  private async record(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    action: string,
    before: MemberWithRole,
    after: MemberWithRole | null,
  ): Promise<void> {
    await this.audit.record(repos, actor, {
      teamId: team.id,
      action,
      targetType: "user",
      targetId: before.userId,
      before: membershipSnapshot(before, before.role.name),
      after: after ? membershipSnapshot(after, after.role.name) : null,
    });
  }

  private validUsers(userIds: string[]): string[] {
    const users = [...new Set(userIds.map((id) => validUserId(id)))];
    if (users.length === 0) throw new InvalidInput("Name at least one person, like @alice.", "user");
    if (users.length > MAX_USERS_PER_CHANGE) {
      throw new InvalidInput(
        `One change can name at most ${MAX_USERS_PER_CHANGE} people; split it up.`,
        "user",
      );
    }
    return users;
  }
}

function quote(name: string): string {
  return name.includes(" ") ? `"${name}"` : name;
}
