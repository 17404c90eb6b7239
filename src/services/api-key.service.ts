import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, DomainError, InvalidInput, NotFound } from "../domain/errors";
import { describe, nameKey } from "../domain/validation";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";

/** What an API request's key stands for: the one team it may read and write. */
export interface KeyIdentity {
  keyId: number;
  workspaceId: string;
  teamId: number;
  teamName: string;
}

/** A request's key, admitted: the team it stands for, and whether it was read for this request. */
export interface AdmittedKey {
  identity: KeyIdentity;
  /**
   * True when the key was looked up in the database for this request; false when it is known from
   * this process's memory, and its being live is still to be confirmed (`confirm`, or inside the
   * request's own statement) before anything is written or answered.
   */
  confirmed: boolean;
}

/** The API key a request came with was revoked: found out inside the work the request asked for. */
export class KeyRevoked extends DomainError {
  readonly code = "unauthorized";

  constructor() {
    super("That API key is unknown or has been revoked; ask a team admin for a new one.");
  }
}

/** A key as lists show it: never the key, only the first characters to tell keys apart. */
export type KeySummary = Pick<ApiKeyEntity, "name" | "keyPrefix" | "createdBy" | "createdAt" | "lastUsedAt">;

const KEY_PREFIX = "rk_";
const KEY_BODY_CHARS = 32;
const KEY_SHAPE = /^rk_[A-Za-z0-9]{32}$/;
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Shown in lists: "rk_" and 7 characters, leaving 25 base62 characters (~149 bits) unseen. */
const SHOWN_PREFIX = 10;
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_LIVE_KEYS = 25;
/** last_used_at is informational: write it at most once a minute per key, not on every request. */
const TOUCH_EVERY_MS = 60_000;
/** Keys remembered per process (by hash); the oldest is forgotten past this. */
const MAX_KNOWN_KEYS = 1000;

/**
 * API keys: how the AI platform authenticates to the HTTP API. A key belongs to one team, is shown
 * once when created, and is stored only as its SHA-256, so a leaked database can't be replayed.
 * Every request confirms its key in the database again, so a revoked key stops at once in every
 * process (`admit`).
 */
export class ApiKeyService {
  /** When this process last wrote last_used_at per key: collapses a burst of requests to one write. */
  private readonly touched = new Map<number, number>();
  /** Which team each live key this process has seen stands for, by hash (never whether it is still live). */
  private readonly known = new Map<string, KeyIdentity>();

  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a key called `name` for the team (keys:manage) and returns it in plain text: the only
   * time anyone sees it. Names are unique among the team's live keys.
   */
  async create(
    actor: Actor,
    teamName: string,
    name: string,
  ): Promise<{ team: TeamEntity; key: string; summary: KeySummary }> {
    const keyName = validKeyName(name);
    const key = newKey();
    try {
      return await this.db.transaction(async (repos) => {
        const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
        await this.policy.require(repos, actor, team, "keys:manage", `create API keys for ${team.name}`);
        if (await repos.apiKeys.findLive(team.id, nameKey(keyName))) throw takenName(team, keyName);
        if ((await repos.apiKeys.countLive(team.id)) >= MAX_LIVE_KEYS) {
          throw new Conflict(
            `${team.name} already has ${MAX_LIVE_KEYS} API keys; revoke one it no longer uses (/team key list ${team.name}).`,
          );
        }
        const row = await repos.apiKeys.insert({
          workspaceId: team.workspaceId,
          teamId: team.id,
          name: keyName,
          activeNameKey: nameKey(keyName),
          keyHash: hashKey(key),
          keyPrefix: key.slice(0, SHOWN_PREFIX),
          createdBy: actor.userId,
          createdAt: this.clock.now(),
          lastUsedAt: null,
          revokedAt: null,
        });
        await this.audit.record(repos, actor, {
          teamId: team.id,
          action: "key.created",
          targetType: "api_key",
          targetId: keyName,
          after: { name: keyName, prefix: row.keyPrefix },
        });
        return { team, key, summary: summarise(row) };
      });
    } catch (error) {
      // Two creates of the same name at once: the unique index on active_name_key decides.
      if (isUniqueViolation(error))
        throw new Conflict(`An API key called ${keyName} already exists for that team.`, "name");
      throw error;
    }
  }

  /** The team's live keys, without secrets (keys:manage). */
  async list(actor: Actor, teamName: string): Promise<{ team: TeamEntity; keys: KeySummary[] }> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.policy.require(repos, actor, team, "keys:manage", `see the API keys of ${team.name}`);
      return { team, keys: (await repos.apiKeys.listLive(team.id)).map(summarise) };
    });
  }

  /** Revokes the team's live key called `name` (keys:manage); requests with it fail from now on. */
  async revoke(actor: Actor, teamName: string, name: string): Promise<{ team: TeamEntity; key: KeySummary }> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "keys:manage", `revoke API keys of ${team.name}`);
      const key = await repos.apiKeys.findLive(team.id, nameKey(name));
      if (!key) {
        throw new NotFound(
          `${team.name} has no API key called ${describe(name)}; /team key list ${team.name} shows its keys.`,
          "name",
        );
      }
      await repos.apiKeys.revoke(key, this.clock.now());
      await this.audit.record(repos, actor, {
        teamId: team.id,
        action: "key.revoked",
        targetType: "api_key",
        targetId: key.name,
        before: { name: key.name, prefix: key.keyPrefix },
      });
      return { team, key: summarise(key) };
    });
  }

  /** The team a presented key stands for, or null when it is unknown or revoked. */
  async authenticate(presented: string): Promise<KeyIdentity | null> {
    if (!KEY_SHAPE.test(presented)) return null;
    const hash = hashKey(presented);
    const owner = await this.db.read((repos) => repos.apiKeys.ownerOf(hash));
    if (!owner || owner.revokedAt !== null) {
      this.known.delete(hash);
      return null;
    }
    const identity: KeyIdentity = {
      keyId: owner.keyId,
      workspaceId: owner.workspaceId,
      teamId: owner.teamId,
      teamName: owner.teamName,
    };
    this.remember(hash, identity);
    await this.touch(identity.keyId, owner.lastUsedAt);
    return identity;
  }

  /**
   * Admits an API request. A key this process has met before is known from memory (a key never
   * changes team); the caller then confirms it is still live before writing or answering, in its
   * own statement or with `confirm`, so a revoked key still stops at once, in every process. A key
   * not met before is looked up whole, as `authenticate` does. Null: unknown or revoked.
   */
  async admit(presented: string): Promise<AdmittedKey | null> {
    if (!KEY_SHAPE.test(presented)) return null;
    const known = this.known.get(hashKey(presented));
    if (!known) {
      const identity = await this.authenticate(presented);
      return identity && { identity, confirmed: true };
    }
    await this.touch(known.keyId, null);
    return { identity: known, confirmed: false };
  }

  /** The key's team, as it is now, if the key is still live; null (and forgotten) if not. */
  async confirm(presented: string): Promise<KeyIdentity | null> {
    const hash = hashKey(presented);
    const known = this.known.get(hash);
    if (!known) return this.authenticate(presented);
    const owner = await this.db.read((repos) => repos.apiKeys.liveOwner(known.keyId));
    if (!owner) {
      this.known.delete(hash);
      return null;
    }
    const identity = { ...known, teamName: owner.teamName };
    if (owner.teamName !== known.teamName) this.remember(hash, identity);
    return identity;
  }

  private remember(hash: string, identity: KeyIdentity): void {
    this.known.delete(hash);
    if (this.known.size >= MAX_KNOWN_KEYS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(hash, identity);
  }

  /** Writes last_used_at when neither the database nor this process has for a minute. */
  private async touch(keyId: number, lastUsedAt: number | null): Promise<void> {
    const now = this.clock.now();
    const staleBefore = now - TOUCH_EVERY_MS;
    if (Math.max(lastUsedAt ?? 0, this.touched.get(keyId) ?? 0) >= staleBefore) return;
    this.touched.set(keyId, now);
    await this.db.transaction((repos) => repos.apiKeys.touch(keyId, now, staleBefore));
  }
}

/** SHA-256 in hex: keys are 190 random bits, so a plain hash (no salt, no stretching) is enough. */
function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** `rk_` and 32 base62 characters, drawn without bias (bytes ≥ 248 are skipped). */
function newKey(): string {
  let body = "";
  while (body.length < KEY_BODY_CHARS) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && body.length < KEY_BODY_CHARS) body += BASE62[byte % 62];
    }
  }
  return KEY_PREFIX + body;
}

function validKeyName(raw: string): string {
  const name = raw.trim();
  if (!KEY_NAME.test(name)) {
    throw new InvalidInput(
      "A key name is 1 to 64 letters, digits, ., - or _, starting with a letter or digit (like ci-bot).",
      "name",
    );
  }
  return name;
}

function takenName(team: TeamEntity, name: string): Conflict {
  return new Conflict(
    `${team.name} already has an API key called ${name}; choose another name or revoke that one first.`,
    "name",
  );
}

function summarise(key: ApiKeyEntity): KeySummary {
  return {
    name: key.name,
    keyPrefix: key.keyPrefix,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  };
}
