import type { WebClient } from "@slack/web-api";
import type { TeamEntity } from "../../entities";
import { Conflict, InvalidInput } from "../domain/errors";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { Actor } from "../services/actor";
import { type SyncState, type SyncTarget, syncHash } from "../services/team-sync.service";
import type { PeopleDirectory } from "./people";
import * as calls from "./team-sync-calls";
import {
  again,
  type ChannelPlan,
  type GroupOutcome,
  noGroupsReason,
  planGroup,
  quoted,
  type SyncOutcome,
  type SyncPlan,
} from "./team-sync-plan";

export type { ChannelPlan, GroupOutcome, GroupPlan, SyncOutcome, SyncPlan } from "./team-sync-plan";

/** How often every sync is checked against Slack, whatever changed (the scheduled job). */
export const CHECK_INTERVAL_MS = 15 * 60_000;

export interface SyncRun {
  checked: number;
  failed: number;
  forgotten: number;
}

interface Bot {
  userId: string;
  workspaceId: string;
}

type ChannelProblem = { problem: NonNullable<calls.ChannelState["problem"]> };

/**
 * The Slack side of `/team sync`: makes a user group and the team's channel match the team's
 * active members. `plan` reads Slack and says what would change; `apply` changes it and records the
 * sync. Afterwards `soon` (after any change, debounced per workspace) and the scheduled `checkAll`
 * keep it so. Every pass computes the wanted state from the database and applies only the
 * difference from what Slack shows, so running it twice, or in two processes at once, is harmless.
 */
export class TeamSyncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private bot: Promise<Bot> | undefined;

  constructor(
    private readonly services: Services,
    private readonly client: WebClient,
    private readonly people: PeopleDirectory,
    private readonly logger: Logger,
    private readonly delayMs = 1000,
  ) {}

  /** Reads Slack and says what syncing `teamName` would change; refuses what it couldn't do. */
  async plan(actor: Actor, teamName: string, options: { handle?: string } = {}): Promise<SyncPlan> {
    const target = await this.services.teamSync.target(actor, teamName, options);
    const bot = await this.identity();
    const group = planGroup(target, await calls.listUserGroups(this.client), bot.userId);
    const channel = target.team.channelId
      ? await this.commandChannel(target, target.team.channelId, bot)
      : null;
    if (!channel && group.kind === "none") {
      throw new InvalidInput(
        `${target.team.name} has no channel and ${noGroupsReason(group.reason)}, so there is nothing to keep in step; give it a channel with /team set ${quoted(target.team.name)} channel=#….`,
      );
    }
    return { target, group, channel };
  }

  /** Brings Slack in step with `plan` and records the sync (as `actor`, who needs team:update). */
  async apply(actor: Actor, plan: SyncPlan): Promise<SyncOutcome> {
    const { team, members, handle } = plan.target;
    const { outcome: group, groupId } = await this.applyGroup(plan);
    const channel = plan.channel
      ? await calls.changeChannel(this.client, plan.channel.id, plan.channel.invite, plan.channel.remove)
      : { invited: [], removed: [], refused: [] };
    const settings = { handle, usergroupId: groupId, channelId: team.channelId };
    await this.services.teamSync.save(actor, team.id, {
      ...settings,
      appliedHash: syncHash(settings, team, members),
    });
    return { plan, group, ...channel };
  }

  /** After a change in `workspaceId`: syncs whose team changed are brought in step within a second. */
  soon(workspaceId: string): void {
    clearTimeout(this.pending.get(workspaceId));
    const timer = setTimeout(() => {
      this.pending.delete(workspaceId);
      void this.enqueue(workspaceId);
    }, this.delayMs);
    timer.unref();
    this.pending.set(workspaceId, timer);
  }

  /** Runs what `soon` scheduled now and waits for every pass under way (for shutdown and tests). */
  async flush(): Promise<void> {
    for (const [workspaceId, timer] of [...this.pending]) {
      clearTimeout(timer);
      this.pending.delete(workspaceId);
      void this.enqueue(workspaceId);
    }
    await Promise.all(this.running.values());
  }

  /**
   * The scheduled check: every sync of the bot's workspace against Slack, whether or not Roster
   * saw a change (someone left the channel or edited the group in Slack). Of several processes
   * ticking together, one checks each sync.
   */
  async checkAll(): Promise<SyncRun> {
    const bot = await this.identity();
    return this.reconcile(bot.workspaceId, "all");
  }

  /** One pass at a time per workspace in this process; a pass asked for meanwhile runs after it. */
  private enqueue(workspaceId: string): Promise<void> {
    const previous = this.running.get(workspaceId) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcile(workspaceId, "changed"))
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error, workspaceId }, "could not sync teams with Slack"),
      );
    this.running.set(workspaceId, next);
    void next.then(() => {
      if (this.running.get(workspaceId) === next) this.running.delete(workspaceId);
    });
    return next;
  }

  private async reconcile(workspaceId: string, mode: "changed" | "all"): Promise<SyncRun> {
    const run: SyncRun = { checked: 0, failed: 0, forgotten: 0 };
    // Most changes happen in workspaces that sync nothing: one query, and no Slack call, says so.
    const states = await this.services.teamSync.states(workspaceId);
    if (states.length === 0) return run;
    const bot = await this.identity();
    // One bot token speaks for one workspace; another workspace's syncs are another bot's.
    if (bot.workspaceId !== workspaceId) return run;
    const due: SyncState[] = [];
    for (const state of states) {
      if (!state.team) {
        if (await this.disableOrphan(state)) run.forgotten += 1;
      } else if (mode === "changed") {
        if (state.hash !== state.sync.appliedHash) due.push(state);
      } else if (await this.services.teamSync.claimCheck(state.sync.id, CHECK_INTERVAL_MS - 60_000)) {
        due.push(state);
      }
    }
    if (due.length === 0) return run;
    const groups: calls.UserGroups = due.some((s) => s.sync.usergroupId)
      ? await calls.listUserGroups(this.client)
      : { available: false, reason: "plan" };
    for (const state of due) {
      run.checked += 1;
      try {
        await this.keepInStep(state, state.team as TeamEntity, groups, bot);
        await this.services.teamSync.markApplied(state.sync.id, state.hash);
      } catch (error) {
        run.failed += 1;
        this.logger.warn(
          { err: error, workspaceId, teamId: state.sync.teamId },
          "could not keep a team's user group and channel in step; the next change or check retries",
        );
      }
    }
    return run;
  }

  private async keepInStep(
    state: SyncState,
    team: TeamEntity,
    groups: calls.UserGroups,
    bot: Bot,
  ): Promise<void> {
    const groupId = state.sync.usergroupId;
    const log = { workspaceId: team.workspaceId, teamId: team.id, usergroupId: groupId };
    const group = groupId && groups.available ? groups.byId.get(groupId) : undefined;
    if (groupId && groups.available && !group)
      this.logger.warn(log, "a synced user group is gone from Slack");
    // Someone disabled the group in Slack on purpose: left so until /team sync is run again.
    if (group && !group.enabled)
      this.logger.info(log, "a synced user group is disabled in Slack; left alone");
    if (group?.enabled) {
      if (!(await calls.followTeamName(this.client, group, team)))
        this.logger.info(log, "a user group keeps its name: Slack has another group called like the team");
      if (!calls.sameSet(group.users, state.members))
        await calls.setGroupUsers(this.client, group.id, state.members, (ids) => this.usable(ids));
    }
    if (!team.channelId) return;
    // Only a channel someone confirmed with /team sync loses its non-members; a channel set on
    // the team since is only invited into until then.
    const strict = team.channelId === state.sync.channelId;
    const channel = await this.planChannel(team.channelId, state.members, bot, strict);
    if ("problem" in channel) {
      this.logger.warn(
        { ...log, channelId: team.channelId, problem: channel.problem },
        "can't sync a channel",
      );
      return;
    }
    const changes = await calls.changeChannel(this.client, channel.id, channel.invite, channel.remove);
    if (changes.refused.length > 0)
      this.logger.info({ ...log, refused: changes.refused }, "Slack refused some channel changes");
  }

  /** The channel part of `/team sync`: a channel Roster can't use is refused before anything changes. */
  private async commandChannel(target: SyncTarget, channelId: string, bot: Bot): Promise<ChannelPlan> {
    const plan = await this.planChannel(channelId, target.members, bot, true);
    if (!("problem" in plan)) return plan;
    const set = `/team set ${quoted(target.team.name)} channel=#…`;
    const messages = {
      not_found: `Roster can't see <#${channelId}> (it was deleted, or it is private and Roster isn't in it); invite @roster to it or choose another channel with ${set}, then run /team sync again.`,
      archived: `<#${channelId}> is archived; unarchive it or choose another channel with ${set}, then run /team sync again.`,
      not_member: `Roster isn't in <#${channelId}>, so it can't invite or remove anyone there; type /invite @roster in that channel, then run /team sync again.`,
    };
    throw new Conflict(messages[plan.problem], "channel");
  }

  private async planChannel(
    channelId: string,
    members: string[],
    bot: Bot,
    strict: boolean,
  ): Promise<ChannelPlan | ChannelProblem> {
    const channel = await calls.readChannel(this.client, channelId);
    if (channel.problem) return { problem: channel.problem };
    const inChannel = new Set(channel.members);
    const wanted = new Set(members);
    const keepsOthers = channel.general ? "general" : channel.external ? "external" : null;
    let remove: string[] = [];
    if (strict && !keepsOthers) {
      const others = channel.members.filter((u) => !wanted.has(u) && u !== bot.userId);
      // Other apps' bots serve the channel, and people Slack can't describe are left alone.
      remove = await this.usable(others);
    }
    return {
      id: channelId,
      invite: members.filter((u) => !inChannel.has(u) && u !== bot.userId),
      remove,
      keepsOthers,
    };
  }

  private async applyGroup(plan: SyncPlan): Promise<{ outcome: GroupOutcome; groupId: string | null }> {
    const { group } = plan;
    if (group.kind === "none") return { outcome: group, groupId: null };
    const { team, members } = plan.target;
    const retry = again(team);
    let groupId: string;
    let current: string[] = [];
    let handleChangedFrom: string | null = null;
    let enabled = false;
    if (group.kind === "create") {
      const created = await calls.createGroup(this.client, team, group.handle, retry);
      if (!created) return { outcome: { kind: "none", reason: "permission" }, groupId: null };
      groupId = created;
    } else {
      groupId = group.group.id;
      current = group.group.users;
      if (group.group.handle !== group.handle) {
        await calls.changeHandle(this.client, groupId, group.handle, retry);
        handleChangedFrom = group.group.handle;
      }
      if (!group.group.enabled) {
        await calls.enableGroup(this.client, groupId);
        enabled = true;
      }
      await calls.followTeamName(this.client, group.group, team);
    }
    const users = calls.sameSet(current, members)
      ? "unchanged"
      : await calls.setGroupUsers(this.client, groupId, members, (ids) => this.usable(ids));
    const outcome: GroupOutcome = {
      kind: "synced",
      handle: group.handle,
      created: group.kind === "create",
      enabled,
      handleChangedFrom,
      users,
    };
    return { outcome, groupId };
  }

  /** Of `users`, those Slack knows as current, human members of the workspace. */
  private async usable(users: string[]): Promise<string[]> {
    const people = await this.people.many(users);
    return users.filter((u) => {
      const person = people.get(u);
      return person && !person.deleted && !person.bot;
    });
  }

  /** A deleted team's group is disabled, then its sync forgotten. */
  private async disableOrphan(state: SyncState): Promise<boolean> {
    const groupId = state.sync.usergroupId;
    try {
      if (groupId) await calls.disableGroup(this.client, groupId);
    } catch (error) {
      this.logger.warn({ err: error, usergroupId: groupId }, "could not disable a deleted team's user group");
      return false;
    }
    await this.services.teamSync.forget(state.sync.id);
    return true;
  }

  private identity(): Promise<Bot> {
    this.bot ??= this.client.auth.test().then(
      (answer) => ({ userId: answer.user_id ?? "", workspaceId: answer.team_id ?? "" }),
      (error: unknown) => {
        this.bot = undefined;
        throw error;
      },
    );
    return this.bot;
  }
}
