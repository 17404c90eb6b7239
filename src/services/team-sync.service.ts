import { createHash } from "node:crypto";
import type { TeamEntity, TeamSyncEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/db-errors";
import { Conflict, InvalidInput, NotFound } from "../domain/errors";
import { describe } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";

/** Slack's limit for a mention handle, as for usernames. */
export const HANDLE_MAX = 21;
const HANDLE = /^[a-z0-9][a-z0-9._-]*$/;

/** What `/team sync` is asked to keep in step: the team, its active members and the handle. */
export interface SyncTarget {
  team: TeamEntity;
  /** Active members' user IDs, sorted. */
  members: string[];
  /** The handle the user group should have (without @). */
  handle: string;
  /** The team's sync as stored, if it has one. */
  sync: TeamSyncEntity | null;
}

/** A stored sync and what its team looks like now, for keeping Slack in step afterwards. */
export interface SyncState {
  sync: TeamSyncEntity;
  /** Null when the team was deleted: its user group is to be disabled and the sync forgotten. */
  team: TeamEntity | null;
  members: string[];
  /** syncHash of the state now; equal to sync.appliedHash when Slack already shows it. */
  hash: string;
}

export interface SyncSettings {
  handle: string;
  usergroupId: string | null;
  /** The channel whose non-members may be removed (see TeamSyncEntity.channelId). */
  channelId: string | null;
  /** syncHash of the state just applied. */
  appliedHash: string;
}

/**
 * Everything a sync puts in Slack, as one hash: when a member joins or leaves, the team is renamed
 * or its channel changes, the hash changes and the sync is due again.
 */
export function syncHash(
  sync: Pick<TeamSyncEntity, "handle" | "usergroupId" | "channelId">,
  team: Pick<TeamEntity, "name" | "channelId">,
  members: readonly string[],
): string {
  return createHash("sha256")
    .update(
      JSON.stringify([sync.handle, sync.usergroupId, sync.channelId, team.name, team.channelId, members]),
    )
    .digest("hex");
}

/**
 * A handle as typed (`@Platform-Team` or `platform-team`) in Slack's form: lowercase letters,
 * digits, `-`, `_` and `.`, at most 21 characters.
 */
export function validHandle(raw: string): string {
  const handle = raw.trim().replace(/^@/, "").toLowerCase();
  if (!HANDLE.test(handle) || handle.length > HANDLE_MAX) {
    throw new InvalidInput(
      `A handle is 1 to ${HANDLE_MAX} lowercase letters, digits, -, _ or ., starting with a letter or digit (like handle=platform-team), not ${describe(raw)}.`,
      "handle",
    );
  }
  return handle;
}

/** The handle a team gets when none is given: its name in lowercase, words joined by -. */
export function defaultHandle(team: Pick<TeamEntity, "id" | "name">): string {
  const slug = team.name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, HANDLE_MAX)
    .replace(/-+$/, "");
  return slug || `team-${team.id}`;
}

/**
 * `/team sync`: which teams Roster keeps in step with a Slack user group and their channel, with
 * which handle, and what each team's active members are. Who may start, change or stop it: holders
 * of team:update (owner, admin), since it decides who is in the team's channel. The Slack side
 * (src/slack/team-sync.ts) reads and changes Slack; this service holds the rules and the records.
 */
export class TeamSyncService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * What syncing `teamName` means now: its active members and the handle (the one given, else
   * the one it has, else one made from its name). Refuses without team:update, and a handle
   * another team's sync already uses.
   */
  async target(actor: Actor, teamName: string, options: { handle?: string } = {}): Promise<SyncTarget> {
    const wanted = options.handle === undefined ? undefined : validHandle(options.handle);
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.requireUpdate(repos, actor, team);
      const sync = await repos.teamSyncs.findByTeam(team.id);
      const handle = wanted ?? sync?.handle ?? defaultHandle(team);
      await this.refuseHandleOfAnotherTeam(repos, actor, team, handle);
      const members = (await repos.teamSyncs.activeMembers([team.id])).get(team.id) ?? [];
      return { team, members, handle, sync };
    });
  }

  /**
   * Records the sync of a team after Slack was brought in step: creates it or updates it, with an
   * audit event when its handle, user group or channel changed. The policy is asked again under the
   * team's lock, so a sync can't outlive a permission lost in between.
   */
  async save(actor: Actor, teamId: number, settings: SyncSettings): Promise<TeamSyncEntity> {
    try {
      return await this.db.transaction(async (repos) => {
        const team = await repos.teams.lockById(actor.workspaceId, teamId);
        if (!team) throw new NotFound("That team was deleted meanwhile; nothing is kept in step.", "team");
        await this.requireUpdate(repos, actor, team);
        await this.refuseHandleOfAnotherTeam(repos, actor, team, settings.handle);
        const now = this.clock.now();
        const before = await repos.teamSyncs.findByTeam(team.id);
        if (!before) {
          const created = await repos.teamSyncs.insert({
            workspaceId: actor.workspaceId,
            teamId: team.id,
            ...settings,
            checkedAt: now,
            createdBy: actor.userId,
            createdAt: now,
            updatedAt: now,
          });
          await this.record(repos, actor, team, "sync.started", null, created);
          return created;
        }
        const after = { ...before, ...settings, updatedAt: now };
        await repos.teamSyncs.update(before.id, { ...settings, updatedAt: now });
        const changed =
          before.handle !== after.handle ||
          before.usergroupId !== after.usergroupId ||
          before.channelId !== after.channelId;
        if (changed) await this.record(repos, actor, team, "sync.changed", before, after);
        return after;
      });
    } catch (error) {
      // The team's lock makes two first syncs of one team run one after the other; should both
      // still insert, the unique index on team_id refuses the second: say so plainly.
      if (isUniqueViolation(error)) {
        throw new Conflict(
          "Someone else started syncing this team at the same moment; run /team sync again.",
        );
      }
      throw error;
    }
  }

  /** Stops keeping `teamName` in step (team:update). Slack keeps the user group and channel as they are. */
  async stop(actor: Actor, teamName: string): Promise<{ team: TeamEntity; sync: TeamSyncEntity }> {
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.requireUpdate(repos, actor, team);
      const sync = await repos.teamSyncs.findByTeam(team.id);
      if (!sync) {
        throw new InvalidInput(
          `${team.name} isn't kept in step with Slack, so there is nothing to stop; /team sync ${quoted(team.name)} starts it.`,
        );
      }
      await repos.teamSyncs.delete(sync.id);
      await this.record(repos, actor, team, "sync.stopped", sync, null);
      return { team, sync };
    });
  }

  /** Every sync of the workspace with its team and active members now (for the Slack side). */
  async states(workspaceId: string): Promise<SyncState[]> {
    return this.db.read(async (repos) => {
      const syncs = await repos.teamSyncs.forWorkspace(workspaceId);
      const teamIds = syncs.flatMap((s) => (s.teamId === null ? [] : [s.teamId]));
      const teams = await repos.teamSyncs.teams(workspaceId, teamIds);
      const members = await repos.teamSyncs.activeMembers(teamIds);
      return syncs.map((sync) => {
        const team = sync.teamId === null ? null : (teams.get(sync.teamId) ?? null);
        const active = team ? (members.get(team.id) ?? []) : [];
        return { sync, team, members: active, hash: team ? syncHash(sync, team, active) : "" };
      });
    });
  }

  /** Notes that Slack now shows the state hashed as `hash` (bookkeeping: no audit). */
  async markApplied(syncId: number, hash: string): Promise<void> {
    await this.db.transaction((repos) => repos.teamSyncs.update(syncId, { appliedHash: hash }));
  }

  /** Forgets the sync of a deleted team, once its user group is disabled. */
  async forget(syncId: number): Promise<void> {
    await this.db.transaction((repos) => repos.teamSyncs.delete(syncId));
  }

  /**
   * Takes the scheduled check of one sync for this interval: of several processes ticking at
   * once, one gets true. `intervalMs` is how long a check stays taken.
   */
  async claimCheck(syncId: number, intervalMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction((repos) => repos.teamSyncs.claimCheck(syncId, now - intervalMs, now));
  }

  private requireUpdate(repos: Repositories, actor: Actor, team: TeamEntity): Promise<void> {
    return this.policy.require(
      repos,
      actor,
      team,
      "team:update",
      `keep ${team.name}'s user group and channel in step with its members`,
    );
  }

  private async refuseHandleOfAnotherTeam(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    handle: string,
  ): Promise<void> {
    const other = (await repos.teamSyncs.forWorkspace(actor.workspaceId)).find(
      (s) => s.handle === handle && s.teamId !== null && s.teamId !== team.id,
    );
    if (!other || other.teamId === null) return;
    const owner = await repos.teams.findById(actor.workspaceId, other.teamId);
    throw new Conflict(
      `@${handle} is already the user group of ${owner?.name ?? "another team"}; choose another handle with handle=<name>.`,
      "handle",
    );
  }

  private async record(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    action: string,
    before: TeamSyncEntity | null,
    after: TeamSyncEntity | null,
  ): Promise<void> {
    const details = (s: TeamSyncEntity | null) =>
      s && { handle: s.handle, usergroupId: s.usergroupId, channelId: s.channelId };
    await this.audit.record(repos, actor, {
      teamId: team.id,
      action,
      targetType: "user_group",
      targetId: `@${(after ?? before)?.handle ?? ""}`,
      before: details(before),
      after: details(after),
    });
  }
}

function quoted(name: string): string {
  return /\s/.test(name) ? `"${name}"` : name;
}
