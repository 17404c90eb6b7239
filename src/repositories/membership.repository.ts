import { type EntityManager, In } from "typeorm";
import { MembershipEntity, type MembershipStatus, RoleEntity, TeamEntity } from "../../entities";
import { type RowOf, spendChanged } from "./workspace.repository";

/** A membership with its role, as most rules need both. */
export interface MemberWithRole extends MembershipEntity {
  role: RoleEntity;
}

export class MembershipRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(MembershipEntity);
  }

  async find(teamId: number, userId: string): Promise<MemberWithRole | null> {
    const membership = await this.repo.findOneBy({ teamId, userId });
    return membership ? this.withRole(membership) : null;
  }

  /** The status of each of these users in the team (absent: not a member). */
  async statuses(teamId: number, userIds: string[]): Promise<Map<string, MembershipStatus>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.repo.find({
      select: { userId: true, status: true },
      where: { teamId, userId: In(userIds) },
    });
    return new Map(rows.map((r) => [r.userId, r.status]));
  }

  async owner(teamId: number): Promise<MembershipEntity | null> {
    return this.repo.findOneBy({ teamId, ownerMarker: 1 });
  }

  /** The team's members with their roles, owner first, then by when they joined. */
  async list(
    teamId: number,
    filter: { roleId?: number; status?: MembershipStatus } = {},
  ): Promise<MemberWithRole[]> {
    const memberships = await this.repo.find({
      where: {
        teamId,
        ...(filter.roleId !== undefined && { roleId: filter.roleId }),
        ...(filter.status !== undefined && { status: filter.status }),
      },
      order: { ownerMarker: "DESC", joinedAt: "ASC", id: "ASC" },
    });
    const roles = await this.rolesById(memberships.map((m) => m.roleId));
    return memberships
      .map((m) => ({ ...m, role: roles.get(m.roleId)! }))
      .sort(
        (a, b) =>
          Number(b.ownerMarker ?? 0) - Number(a.ownerMarker ?? 0) || a.joinedAt - b.joinedAt || a.id - b.id,
      );
  }

  /** The teams a user belongs to in a workspace, with role and status. */
  async teamsOf(
    workspaceId: string,
    userId: string,
  ): Promise<{ team: TeamEntity; membership: MemberWithRole }[]> {
    const memberships = await this.repo.find({ where: { workspaceId, userId } });
    if (memberships.length === 0) return [];
    const teams = await this.manager
      .getRepository(TeamEntity)
      .createQueryBuilder("t")
      .where("t.id IN (:...ids)", { ids: memberships.map((m) => m.teamId) })
      .getMany();
    const roles = await this.rolesById(memberships.map((m) => m.roleId));
    const teamById = new Map(teams.map((t) => [t.id, t]));
    return memberships
      .map((m) => ({ team: teamById.get(m.teamId)!, membership: { ...m, role: roles.get(m.roleId)! } }))
      .sort((a, b) => a.team.nameKey.localeCompare(b.team.nameKey));
  }

  // insert, setStatus and delete change who may spend: each records it (spendChanged).
  async insert(membership: Omit<MembershipEntity, "id">): Promise<MembershipEntity> {
    const result = await this.repo.insert(membership);
    await spendChanged(this.manager, membership.workspaceId);
    return { ...membership, id: Number(result.identifiers[0].id) };
  }

  /** Sets the role; `owner` marks the one row the team's unique owner index allows. */
  async setRole(id: number, roleId: number, owner: boolean, now: number): Promise<void> {
    await this.repo.update({ id }, { roleId, ownerMarker: owner ? 1 : null, updatedAt: now });
  }

  async setStatus(membership: RowOf, status: MembershipStatus, now: number): Promise<void> {
    await this.repo.update({ id: membership.id }, { status, updatedAt: now });
    await spendChanged(this.manager, membership.workspaceId);
  }

  async delete(membership: RowOf): Promise<void> {
    await this.repo.delete({ id: membership.id });
    await spendChanged(this.manager, membership.workspaceId);
  }

  private async withRole(membership: MembershipEntity): Promise<MemberWithRole> {
    const role = await this.manager.getRepository(RoleEntity).findOneByOrFail({ id: membership.roleId });
    return { ...membership, role };
  }

  private async rolesById(ids: number[]): Promise<Map<number, RoleEntity>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const roles = await this.manager
      .getRepository(RoleEntity)
      .createQueryBuilder("r")
      .where("r.id IN (:...unique)", { unique })
      .getMany();
    return new Map(roles.map((r) => [r.id, r]));
  }
}
