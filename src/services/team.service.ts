import type { JoinPolicy, ResourceSharing, TeamEntity, Visibility } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, InvalidInput } from "../domain/errors";
import * as valid from "../domain/validation";
import { isPermission, type Permission } from "../domain/permissions";
import type { Repositories } from "../repositories";
import type { TeamSort, TeamWithCount } from "../repositories/team.repository";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";
import { teamSnapshot } from "./snapshots";

export interface TeamSettings {
  description?: string;
  /** A team name; null makes the team top-level. */
  parent?: string | null;
  /** A Slack channel ID; null removes it. */
  channelId?: string | null;
  visibility?: Visibility;
  joinPolicy?: JoinPolicy;
  resourceSharing?: ResourceSharing;
  /** Keys to set; a null value removes the key. */
  metadata?: Record<string, string | null>;
}

export interface CreateTeamInput extends TeamSettings {
  name: string;
}

export interface UpdateTeamInput extends TeamSettings {
  name?: string;
}

export interface TeamDetails {
  team: TeamEntity;
  parent: TeamEntity | null;
  children: TeamEntity[];
  ownerId: string | null;
  memberCount: number;
  /** The viewer's own role in the team, if they are in it. */
  viewerRole: string | null;
  viewerPermissions: Permission[];
}

export interface TeamTreeNode {
  team: Pick<TeamEntity, "id" | "name">;
  children: TeamTreeNode[];
}

export interface TeamSearchInput {
  text?: string;
  parent?: string;
  /** Only teams this user (a Slack user ID) is an active member of. */
  member?: string;
  /** Only teams in which the viewer holds this permission. */
  permission?: string;
  sort?: TeamSort;
  page?: number;
  pageSize?: number;
}

export interface TeamPage {
  teams: TeamWithCount[];
  total: number;
  page: number;
  pages: number;
}

const VISIBILITIES: Visibility[] = ["organization", "private"];
const JOIN_POLICIES: JoinPolicy[] = ["open", "approval", "invite_only"];
const SHARING: ResourceSharing[] = ["all_members", "admins_only"];
const SORTS: TeamSort[] = ["name", "created", "members"];

/** Teams and their hierarchy: create, read, search, change settings, delete. */
export class TeamService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a team with `actor` as its owner. Anyone in the workspace may create a top-level team;
   * a sub-team needs team:update in its parent. Two concurrent creates of one name make one team:
   * the unique index on the folded name refuses the second.
   */
  async create(actor: Actor, input: CreateTeamInput): Promise<TeamEntity> {
    const name = valid.teamName(input.name);
    const settings = this.validSettings(input);
    try {
      return await this.db.transaction(async (repos) => {
        const now = this.clock.now();
        await repos.workspaces.ensure(valid.workspaceId(actor.workspaceId), now);
        await this.refuseTakenName(repos, actor, name);
        const parent = input.parent ? await this.policy.findTeam(repos, actor, input.parent) : null;
        if (parent)
          await this.policy.require(repos, actor, parent, "team:update", `add a sub-team to ${parent.name}`);
        const team = await repos.teams.insert({
          workspaceId: actor.workspaceId,
          name,
          nameKey: valid.nameKey(name),
          description: settings.description ?? "",
          parentId: parent?.id ?? null,
          channelId: settings.channelId ?? null,
          visibility: settings.visibility ?? "organization",
          joinPolicy: settings.joinPolicy ?? "open",
          resourceSharing: settings.resourceSharing ?? "all_members",
          metadata: valid.metadata(applyMetadata({}, settings.metadata)),
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        const owner = await repos.roles.findBuiltIn("owner");
        await repos.memberships.insert({
          workspaceId: actor.workspaceId,
          teamId: team.id,
          userId: valid.userId(actor.userId),
          roleId: owner.id,
          ownerMarker: 1,
          status: "active",
          joinedAt: now,
          updatedAt: now,
        });
        await this.audit.record(repos, actor, {
          teamId: team.id,
          action: "team.created",
          targetType: "team",
          targetId: String(team.id),
          after: teamSnapshot(team),
        });
        return team;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw takenName(name);
      throw error;
    }
  }

  /** The team as `actor` sees it, with its place in the hierarchy and the actor's own standing. */
  async get(actor: Actor, name: string): Promise<TeamDetails> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, name);
      const parent = team.parentId ? await repos.teams.findById(actor.workspaceId, team.parentId) : null;
      const children = [];
      for (const child of await repos.teams.children(actor.workspaceId, team.id)) {
        if (await this.policy.canSee(repos, actor, child)) children.push(child);
      }
      const owner = await repos.memberships.owner(team.id);
      const counts = await repos.teams.memberCounts([team.id]);
      const membership = await repos.memberships.find(team.id, actor.userId);
      const permissions = await this.policy.permissions(repos, actor, team);
      return {
        team,
        parent,
        children,
        ownerId: owner?.userId ?? null,
        memberCount: counts.get(team.id) ?? 0,
        viewerRole: membership?.role.name ?? null,
        viewerPermissions: [...permissions],
      };
    });
  }

  /** Changes name, description and settings (team:update), all or nothing. */
  async update(actor: Actor, name: string, input: UpdateTeamInput): Promise<TeamEntity> {
    const newName = input.name === undefined ? undefined : valid.teamName(input.name);
    const settings = this.validSettings(input);
    try {
      return await this.db.transaction(async (repos) => {
        if (settings.parent !== undefined) await repos.workspaces.lock(actor.workspaceId);
        const team = await this.policy.findTeam(repos, actor, name, { lock: true });
        await this.policy.require(repos, actor, team, "team:update", `change ${team.name}`);
        if (newName !== undefined && valid.nameKey(newName) !== team.nameKey)
          await this.refuseTakenName(repos, actor, newName);
        const parentId =
          settings.parent === undefined
            ? team.parentId
            : await this.newParentId(repos, actor, team, settings.parent);
        const changes: Partial<TeamEntity> = {
          ...(newName !== undefined && { name: newName, nameKey: valid.nameKey(newName) }),
          ...(settings.description !== undefined && { description: settings.description }),
          ...(settings.channelId !== undefined && { channelId: settings.channelId }),
          ...(settings.visibility && { visibility: settings.visibility }),
          ...(settings.joinPolicy && { joinPolicy: settings.joinPolicy }),
          ...(settings.resourceSharing && { resourceSharing: settings.resourceSharing }),
          ...(settings.metadata && {
            metadata: valid.metadata(applyMetadata(team.metadata, settings.metadata)),
          }),
          parentId,
        };
        const updated = { ...team, ...changes, updatedAt: this.clock.now() };
        await repos.teams.update(team, { ...changes, updatedAt: updated.updatedAt });
        await this.audit.record(repos, actor, {
          teamId: team.id,
          action: "team.updated",
          targetType: "team",
          targetId: String(team.id),
          before: teamSnapshot(team),
          after: teamSnapshot(updated),
        });
        return updated;
      });
    } catch (error) {
      if (isUniqueViolation(error) && newName) throw takenName(newName);
      throw error;
    }
  }

  /** Deletes a team and everything that belongs to it (team:delete). Sub-teams must go first. */
  async delete(actor: Actor, name: string): Promise<TeamEntity> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, name, { lock: true });
      await this.policy.require(repos, actor, team, "team:delete", `delete ${team.name}`);
      const children = await repos.teams.countChildren(team.id);
      if (children > 0) {
        throw new Conflict(
          `${team.name} has ${children} sub-team${children === 1 ? "" : "s"}; move them elsewhere (/team set <sub-team> parent=…) or delete them first.`,
        );
      }
      await repos.teams.delete(team);
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: "team.deleted",
        targetType: "team",
        targetId: String(team.id),
        before: teamSnapshot(team),
      });
      return team;
    });
  }

  /** The team and all its descendants the actor can see, to any depth. */
  async tree(actor: Actor, name: string): Promise<TeamTreeNode> {
    return this.db.read(async (repos) => {
      const root = await this.policy.findTeam(repos, actor, name);
      const all = await repos.teams.hierarchy(actor.workspaceId);
      const isOrgAdmin = await this.policy.isOrgAdmin(actor);
      const mine = new Set(
        (await repos.memberships.teamsOf(actor.workspaceId, actor.userId)).map((t) => t.team.id),
      );
      const visible = (t: (typeof all)[number]) =>
        t.visibility === "organization" || isOrgAdmin || mine.has(t.id);
      const byParent = new Map<number, typeof all>();
      for (const team of all) {
        if (team.parentId === null || !visible(team)) continue;
        byParent.set(team.parentId, [...(byParent.get(team.parentId) ?? []), team]);
      }
      const build = (team: Pick<TeamEntity, "id" | "name" | "nameKey">): TeamTreeNode => ({
        team: { id: team.id, name: team.name },
        children: (byParent.get(team.id) ?? []).sort((a, b) => a.nameKey.localeCompare(b.nameKey)).map(build),
      });
      return build(root);
    });
  }

  /** The chain of parents from the team's parent up to the top. */
  async ancestors(actor: Actor, name: string): Promise<Pick<TeamEntity, "id" | "name">[]> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, name);
      const byId = new Map((await repos.teams.hierarchy(actor.workspaceId)).map((t) => [t.id, t]));
      const chain = [];
      for (let id = team.parentId; id !== null; id = byId.get(id)?.parentId ?? null) {
        const parent = byId.get(id);
        if (!parent) break;
        chain.push({ id: parent.id, name: parent.name });
      }
      return chain;
    });
  }

  /** One page of the teams the actor can see, filtered and sorted. */
  async search(actor: Actor, input: TeamSearchInput = {}): Promise<TeamPage> {
    const page = valid.pageNumber(input.page ?? 1);
    const pageSize = input.pageSize ?? 20;
    const sort = input.sort ?? "name";
    if (!SORTS.includes(sort))
      throw new InvalidInput(`sort is one of ${SORTS.join(", ")}, like sort=members.`, "sort");
    if (input.permission !== undefined && !isPermission(input.permission)) {
      throw new InvalidInput(
        `${valid.describe(input.permission)} is not a permission; /team roles lists them.`,
        "permission",
      );
    }
    if ((input.text ?? "").length > 200)
      throw new InvalidInput("Search text can be at most 200 characters.", "text");
    return this.db.read(async (repos) => {
      const parent = input.parent ? await this.policy.findTeam(repos, actor, input.parent) : undefined;
      const { teams, total } = await repos.teams.search({
        workspaceId: actor.workspaceId,
        viewerId: actor.userId,
        viewerIsOrgAdmin: await this.policy.isOrgAdmin(actor),
        text: input.text?.trim() || undefined,
        parentId: parent?.id,
        memberId: input.member === undefined ? undefined : valid.userId(input.member, "member"),
        permission: input.permission,
        sort,
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      return { teams, total, page, pages: Math.max(1, Math.ceil(total / pageSize)) };
    });
  }

  private validSettings(input: TeamSettings): TeamSettings {
    const oneOf = <T extends string>(value: T | undefined, allowed: T[], key: string, example: string) => {
      if (value !== undefined && !allowed.includes(value)) {
        throw new InvalidInput(`${key} is one of ${allowed.join(", ")}, like ${key}=${example}.`, key);
      }
      return value;
    };
    return {
      description: input.description === undefined ? undefined : valid.description(input.description),
      parent: input.parent,
      channelId:
        input.channelId === undefined || input.channelId === null
          ? input.channelId
          : valid.channelId(input.channelId),
      visibility: oneOf(input.visibility, VISIBILITIES, "visibility", "private"),
      joinPolicy: oneOf(input.joinPolicy, JOIN_POLICIES, "policy", "approval"),
      resourceSharing: oneOf(input.resourceSharing, SHARING, "sharing", "admins_only"),
      metadata: input.metadata,
    };
  }

  private async refuseTakenName(repos: Repositories, actor: Actor, name: string): Promise<void> {
    if (await repos.teams.findByNameKey(actor.workspaceId, valid.nameKey(name))) throw takenName(name);
  }

  /**
   * Resolves and checks a new parent: the actor needs team:update there too, and the team can't
   * go under itself or any of its own descendants (at any depth). The caller holds the
   * workspace's hierarchy lock, so two moves can't together build a cycle.
   */
  private async newParentId(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    parentName: string | null,
  ): Promise<number | null> {
    if (parentName === null) return null;
    const parent = await this.policy.findTeam(repos, actor, parentName);
    // Naming the parent the team already has moves nothing, so it needs nothing in the parent.
    if (parent.id === team.parentId) return parent.id;
    await this.policy.require(repos, actor, parent, "team:update", `move a team under ${parent.name}`);
    const byId = new Map((await repos.teams.hierarchy(actor.workspaceId)).map((t) => [t.id, t]));
    for (let id: number | null = parent.id; id !== null; id = byId.get(id)?.parentId ?? null) {
      if (id === team.id) {
        throw new InvalidInput(
          parent.id === team.id
            ? `${team.name} can't be its own parent; choose another team.`
            : `${team.name} can't go under ${parent.name}, which is inside ${team.name} already; that would make a loop.`,
          "parent",
        );
      }
    }
    return parent.id;
  }
}

function takenName(name: string): Conflict {
  return new Conflict(
    `A team called ${valid.describe(name)} already exists (names ignore case); choose another name.`,
    "name",
  );
}

function applyMetadata(
  current: Record<string, string>,
  changes: Record<string, string | null> | undefined,
): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
