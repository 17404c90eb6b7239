import { type EntityManager, In, IsNull } from "typeorm";
import { MembershipEntity, TeamEntity, TeamSyncEntity } from "../../entities";

// Keeps an IN (…) list well inside every database's limit on bound parameters.
const CHUNK = 500;

export class TeamSyncRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(TeamSyncEntity);
  }

  async findByTeam(teamId: number): Promise<TeamSyncEntity | null> {
    return this.repo.findOneBy({ teamId });
  }

  async findById(workspaceId: string, id: number): Promise<TeamSyncEntity | null> {
    return this.repo.findOneBy({ workspaceId, id });
  }

  /** Every sync of the workspace, those of deleted teams (teamId null) included, oldest first. */
  async forWorkspace(workspaceId: string): Promise<TeamSyncEntity[]> {
    return this.repo.find({ where: { workspaceId }, order: { id: "ASC" } });
  }

  /** Syncs whose team was deleted: their user group is still to be disabled. */
  async orphans(workspaceId: string): Promise<TeamSyncEntity[]> {
    return this.repo.find({ where: { workspaceId, teamId: IsNull() }, order: { id: "ASC" } });
  }

  async insert(sync: Omit<TeamSyncEntity, "id">): Promise<TeamSyncEntity> {
    const result = await this.repo.insert(sync);
    return { ...sync, id: Number(result.identifiers[0].id) };
  }

  async update(id: number, patch: Partial<Omit<TeamSyncEntity, "id" | "workspaceId">>): Promise<void> {
    await this.repo.update({ id }, patch);
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  /**
   * Takes this row's scheduled check, if nobody took it since `dueBefore`: the conditional UPDATE
   * lets exactly one of several processes ticking at once do it. True if this call won.
   */
  async claimCheck(id: number, dueBefore: number, now: number): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ checkedAt: now })
      .where("id = :id AND checked_at <= :dueBefore", { id, dueBefore })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The teams by ID, in this workspace. */
  async teams(workspaceId: string, teamIds: number[]): Promise<Map<number, TeamEntity>> {
    const teams = new Map<number, TeamEntity>();
    for (let i = 0; i < teamIds.length; i += CHUNK) {
      const rows = await this.manager
        .getRepository(TeamEntity)
        .findBy({ workspaceId, id: In(teamIds.slice(i, i + CHUNK)) });
      for (const team of rows) teams.set(team.id, team);
    }
    return teams;
  }

  /** The active members' user IDs of each team, sorted (absent: no active member). */
  async activeMembers(teamIds: number[]): Promise<Map<number, string[]>> {
    const members = new Map<number, string[]>();
    for (let i = 0; i < teamIds.length; i += CHUNK) {
      const rows = await this.manager.getRepository(MembershipEntity).find({
        select: { teamId: true, userId: true },
        where: { teamId: In(teamIds.slice(i, i + CHUNK)), status: "active" },
      });
      for (const row of rows) {
        const list = members.get(row.teamId) ?? [];
        list.push(row.userId);
        members.set(row.teamId, list);
      }
    }
    for (const list of members.values()) list.sort();
    return members;
  }
}
