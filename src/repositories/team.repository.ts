import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { MembershipEntity, RoleEntity, TeamEntity, TeamGrantEntity } from "../../entities";
import type { Dialect } from "../db/data-source";
import { type RowOf, spendChanged } from "./workspace.repository";

export type TeamSort = "name" | "created" | "members";

export interface TeamSearch {
  workspaceId: string;
  /** Whose eyes: private teams show only to their members, unless `viewerIsOrgAdmin`. */
  viewerId: string;
  viewerIsOrgAdmin: boolean;
  text?: string;
  parentId?: number;
  /** Only teams this user is an active member of. */
  memberId?: string;
  /** Only teams in which the viewer holds this permission (through role or team grant). */
  permission?: string;
  sort: TeamSort;
  offset: number;
  limit: number;
}

export interface TeamWithCount extends TeamEntity {
  memberCount: number;
}

export class TeamRepository {
  constructor(
    private readonly manager: EntityManager,
    private readonly dialect: Dialect,
  ) {}

  private get repo() {
    return this.manager.getRepository(TeamEntity);
  }

  async findById(workspaceId: string, id: number): Promise<TeamEntity | null> {
    return this.repo.findOneBy({ workspaceId, id });
  }

  async findByNameKey(workspaceId: string, nameKey: string): Promise<TeamEntity | null> {
    return this.repo.findOneBy({ workspaceId, nameKey });
  }

  /**
   * Reads the team by its folded name and, on MySQL, holds its row lock until the transaction ends. Every change to
   * a team's members or settings takes this lock first, so concurrent changes to one team (two
   * transfers, a transfer and a removal) run one after the other and each sees the other's result.
   * SQLite needs no lock: its transactions already run one at a time.
   */
  async lockByNameKey(workspaceId: string, nameKey: string): Promise<TeamEntity | null> {
    const query = this.repo
      .createQueryBuilder("t")
      .where("t.workspace_id = :workspaceId AND t.name_key = :nameKey", { workspaceId, nameKey });
    if (this.dialect === "mysql") query.setLock("pessimistic_write");
    return query.getOne();
  }

  /** As lockByNameKey, by ID: for changes that arrive from a button carrying the team's ID. */
  async lockById(workspaceId: string, id: number): Promise<TeamEntity | null> {
    const query = this.repo
      .createQueryBuilder("t")
      .where("t.workspace_id = :workspaceId AND t.id = :id", { workspaceId, id });
    if (this.dialect === "mysql") query.setLock("pessimistic_write");
    return query.getOne();
  }

  async insert(team: Omit<TeamEntity, "id">): Promise<TeamEntity> {
    const result = await this.repo.insert(team);
    return { ...team, id: Number(result.identifiers[0].id) };
  }

  // update (a new parent) and delete change which limits a spend falls under: each records it.
  async update(team: RowOf, patch: Partial<Omit<TeamEntity, "id" | "workspaceId">>): Promise<void> {
    await this.repo.update({ id: team.id }, patch);
    await spendChanged(this.manager, team.workspaceId);
  }

  async delete(team: RowOf): Promise<void> {
    await this.repo.delete({ id: team.id });
    await spendChanged(this.manager, team.workspaceId);
  }

  async children(workspaceId: string, parentId: number): Promise<TeamEntity[]> {
    return this.repo.find({ where: { workspaceId, parentId }, order: { nameKey: "ASC" } });
  }

  async countChildren(parentId: number): Promise<number> {
    return this.repo.countBy({ parentId });
  }

  /** Every team of the workspace, lightly: enough to walk the hierarchy in memory. */
  async hierarchy(
    workspaceId: string,
  ): Promise<Pick<TeamEntity, "id" | "parentId" | "name" | "nameKey" | "visibility">[]> {
    return this.repo.find({
      select: { id: true, parentId: true, name: true, nameKey: true, visibility: true },
      where: { workspaceId },
    });
  }

  /**
   * The team's ID and its ancestors' IDs, nearest first, in one recursive query (MySQL 8, MariaDB
   * 10.2 and SQLite all have WITH RECURSIVE): every spend needs the chain of budgets above it.
   */
  async chain(workspaceId: string, teamId: number): Promise<number[]> {
    const rows: { id: number | string }[] = await this.manager.query(
      `WITH RECURSIVE up (id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM teams WHERE workspace_id = ? AND id = ?
         UNION ALL
         SELECT t.id, t.parent_id, up.depth + 1 FROM teams t JOIN up ON t.id = up.parent_id WHERE up.depth < 10000
       ) SELECT id FROM up ORDER BY depth`,
      [workspaceId, teamId],
    );
    return rows.map((r) => Number(r.id));
  }

  /** The team's ID and all its descendants' IDs, to any depth. */
  async subtree(workspaceId: string, teamId: number): Promise<number[]> {
    const all = await this.hierarchy(workspaceId);
    const ids = [teamId];
    for (let i = 0; i < ids.length; i++) {
      for (const team of all) if (team.parentId === ids[i]) ids.push(team.id);
    }
    return ids;
  }

  /** Teams of every workspace that have a channel and existed at `createdBefore`: who gets a digest. */
  async withChannel(createdBefore: number): Promise<Pick<TeamEntity, "id" | "workspaceId" | "channelId">[]> {
    return this.repo
      .createQueryBuilder("t")
      .select(["t.id", "t.workspaceId", "t.channelId"])
      .where("t.channel_id IS NOT NULL AND t.created_at < :createdBefore", { createdBefore })
      .orderBy("t.id")
      .getMany();
  }

  async memberCounts(teamIds: number[]): Promise<Map<number, number>> {
    if (teamIds.length === 0) return new Map();
    const rows: { teamId: number | string; count: number | string }[] = await this.manager
      .getRepository(MembershipEntity)
      .createQueryBuilder("m")
      .select("m.team_id", "teamId")
      .addSelect("COUNT(*)", "count")
      .where("m.team_id IN (:...teamIds) AND m.status = 'active'", { teamIds })
      .groupBy("m.team_id")
      .getRawMany();
    return new Map(rows.map((r) => [Number(r.teamId), Number(r.count)]));
  }

  /** One page of the teams `search.viewerId` may see, matching every filter given. */
  async search(search: TeamSearch): Promise<{ teams: TeamWithCount[]; total: number }> {
    const query = this.repo.createQueryBuilder("t").where("t.workspace_id = :workspaceId", search);
    const memberCount = `(SELECT COUNT(*) FROM memberships mc WHERE mc.team_id = t.id AND mc.status = 'active')`;

    if (!search.viewerIsOrgAdmin) {
      query.andWhere(
        `(t.visibility = 'organization' OR EXISTS (SELECT 1 FROM memberships mv WHERE mv.team_id = t.id AND mv.user_id = :viewerId))`,
        search,
      );
    }
    if (search.text) {
      const pattern = `%${escapeLike(search.text.toLowerCase())}%`;
      query.andWhere(
        "(t.name_key LIKE :pattern ESCAPE '!' OR LOWER(t.description) LIKE :pattern ESCAPE '!')",
        { pattern },
      );
    }
    if (search.parentId !== undefined) query.andWhere("t.parent_id = :parentId", search);
    if (search.memberId) {
      query.andWhere(
        "EXISTS (SELECT 1 FROM memberships mm WHERE mm.team_id = t.id AND mm.user_id = :memberId AND mm.status = 'active')",
        search,
      );
    }
    if (search.permission && !search.viewerIsOrgAdmin) this.whereViewerHolds(query, search.permission);

    const total = await query.getCount();
    query.addSelect(memberCount, "member_count");
    if (search.sort === "name") query.orderBy("t.name_key", "ASC");
    if (search.sort === "created") query.orderBy("t.created_at", "DESC");
    if (search.sort === "members") query.orderBy("member_count", "DESC").addOrderBy("t.name_key", "ASC");
    query.addOrderBy("t.id", "ASC").offset(search.offset).limit(search.limit);

    const { entities, raw } = await query.getRawAndEntities<{ member_count: number | string }>();
    const teams = entities.map((team, i) => ({ ...team, memberCount: Number(raw[i].member_count) }));
    return { teams, total };
  }

  /** Role permissions are a JSON array of catalog names, so a quoted LIKE match is exact. */
  private whereViewerHolds(query: SelectQueryBuilder<TeamEntity>, permission: string): void {
    const roles = this.manager.getRepository(RoleEntity).metadata.tableName;
    const grants = this.manager.getRepository(TeamGrantEntity).metadata.tableName;
    query.andWhere(
      `EXISTS (SELECT 1 FROM memberships mp JOIN ${roles} r ON r.id = mp.role_id
         WHERE mp.team_id = t.id AND mp.user_id = :viewerId AND mp.status = 'active'
           AND (r.permissions LIKE :permissionPattern ESCAPE '!'
                OR EXISTS (SELECT 1 FROM ${grants} g WHERE g.team_id = t.id AND g.permission = :permission)))`,
      { permission, permissionPattern: `%"${escapeLike(permission)}"%` },
    );
  }
}

function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}
