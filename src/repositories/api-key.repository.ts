import { type EntityManager, IsNull } from "typeorm";
import { ApiKeyEntity, TeamEntity } from "../../entities";
import { type RowOf, spendChanged } from "./workspace.repository";

/** What a request's key resolves to: the key's row and the name of the team it belongs to. */
export interface KeyOwner {
  keyId: number;
  workspaceId: string;
  teamId: number;
  teamName: string;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export class ApiKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(ApiKeyEntity);
  }

  async insert(key: Omit<ApiKeyEntity, "id">): Promise<ApiKeyEntity> {
    const result = await this.repo.insert(key);
    return { ...key, id: Number(result.identifiers[0].id) };
  }

  /** The team's live key with this folded name, if any. */
  async findLive(teamId: number, nameKey: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOneBy({ teamId, activeNameKey: nameKey });
  }

  /** The team's live keys, oldest first. */
  async listLive(teamId: number): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: { teamId, revokedAt: IsNull() }, order: { createdAt: "ASC", id: "ASC" } });
  }

  async countLive(teamId: number): Promise<number> {
    return this.repo.countBy({ teamId, revokedAt: IsNull() });
  }

  /** Revoked keys free their name (active_name_key NULL) so it can be used again. */
  async revoke(key: RowOf, now: number): Promise<void> {
    await this.repo.update({ id: key.id }, { revokedAt: now, activeNameKey: null });
    // A spend with this key must now be refused: recorded like any change a spend depends on.
    await spendChanged(this.manager, key.workspaceId);
  }

  /** One indexed lookup per API request: the key by its hash, with its team's name. */
  async ownerOf(keyHash: string): Promise<KeyOwner | null> {
    const row = await this.repo
      .createQueryBuilder("k")
      .innerJoin(TeamEntity, "t", "t.id = k.team_id")
      .select("k.id", "keyId")
      .addSelect("k.workspace_id", "workspaceId")
      .addSelect("k.team_id", "teamId")
      .addSelect("t.name", "teamName")
      .addSelect("k.last_used_at", "lastUsedAt")
      .addSelect("k.revoked_at", "revokedAt")
      .where("k.key_hash = :keyHash", { keyHash })
      .getRawOne<Record<keyof KeyOwner, string | number | null>>();
    if (!row) return null;
    const time = (value: string | number | null) => (value === null ? null : Number(value));
    return {
      keyId: Number(row.keyId),
      workspaceId: String(row.workspaceId),
      teamId: Number(row.teamId),
      teamName: String(row.teamName),
      lastUsedAt: time(row.lastUsedAt),
      revokedAt: time(row.revokedAt),
    };
  }

  /** The name of the key's team if the key is still live (not revoked), else null: one primary-key read. */
  async liveOwner(keyId: number): Promise<Pick<KeyOwner, "teamName"> | null> {
    const rows: { team_name: string }[] = await this.manager.query(
      `SELECT t.name AS team_name FROM api_keys k JOIN teams t ON t.id = k.team_id
          WHERE k.id = ? AND k.revoked_at IS NULL`,
      [keyId],
    );
    return rows.length ? { teamName: rows[0].team_name } : null;
  }

  /** Records use, unless another request (or process) already did within the last `staleBefore`. */
  async touch(id: number, now: number, staleBefore: number): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: now })
      .where("id = :id", { id })
      .andWhere("(last_used_at IS NULL OR last_used_at < :staleBefore)", { staleBefore })
      .andWhere("revoked_at IS NULL")
      .execute();
  }
}
