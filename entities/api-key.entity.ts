import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn, timeColumn } from "./columns";

/**
 * A team's API key. Only the SHA-256 of the key is kept. `activeNameKey` is the name while the key
 * is live and NULL once revoked, so a name can be reused after revocation but never twice at once.
 */
@Entity("api_keys")
@Index("uq_api_keys_hash", ["keyHash"], { unique: true })
@Index("uq_api_keys_team_active_name", ["teamId", "activeNameKey"], { unique: true })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column(slackIdColumn({ name: "workspace_id" }))
  workspaceId: string;

  @Column({ type: "integer", name: "team_id" })
  teamId: number;

  @Column({ type: "varchar", length: 64 })
  name: string;

  @Column({ type: "varchar", length: 64, name: "active_name_key", nullable: true })
  activeNameKey: string | null;

  @Column({ type: "varchar", length: 64, name: "key_hash" })
  keyHash: string;

  /** The first characters of the key, shown in lists so people can tell keys apart. */
  @Column({ type: "varchar", length: 16, name: "key_prefix" })
  keyPrefix: string;

  @Column(slackIdColumn({ name: "created_by" }))
  createdBy: string;

  @Column(timeColumn({ name: "created_at" }))
  createdAt: number;

  @Column(timeColumn({ name: "last_used_at", nullable: true }))
  lastUsedAt: number | null;

  @Column(timeColumn({ name: "revoked_at", nullable: true }))
  revokedAt: number | null;
}
