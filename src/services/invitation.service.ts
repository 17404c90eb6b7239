import type { InvitationEntity, RoleEntity, TeamEntity } from "../../entities";
import type { Clock } from "../clock";
import type { Database } from "../db/database";
import { Conflict, Forbidden, InvalidInput, NotFound } from "../domain/errors";
import { describe, userId as validUserId } from "../domain/validation";
import type { Repositories } from "../repositories";
import type { Actor } from "./actor";
import type { AuditService } from "./audit.service";
import type { Policy } from "./policy";
import { SYSTEM_ACTOR } from "./system-actor";

export type InviteOutcomeKind = "invited" | "renewed" | "already_member" | "waiting_for_join";

export interface InviteOutcome {
  /** A Slack user ID, or an email address for someone not in the workspace yet. */
  invitee: string;
  kind: InviteOutcomeKind;
  invitation?: InvitationEntity;
}

export interface InvitationView extends InvitationEntity {
  team: TeamEntity;
  role: RoleEntity;
}

const DAY = 86_400_000;
const MAX_INVITEES = 500;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * Invitations: admins invite people (in the workspace, or by email before they join it); the
 * invitee accepts or declines with a button. Every settlement (accept, decline, revoke, expiry) is
 * a conditional UPDATE on a still-pending row, so a double click or a race settles it once.
 */
export class InvitationService {
  constructor(
    private readonly db: Database,
    private readonly policy: Policy,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ttlDays: number,
  ) {}

  /**
   * Invites people with one role (invites:manage). Members are reported, not invited again; a
   * pending invitation is renewed rather than doubled; an email nobody in the workspace has waits
   * for that person to join. The caller resolves emails of workspace members to their user IDs.
   */
  async invite(
    actor: Actor,
    teamName: string,
    invitees: { users: string[]; emails: string[] },
    roleName = "member",
  ): Promise<{ team: TeamEntity; role: RoleEntity; outcomes: InviteOutcome[] }> {
    const users = [...new Set(invitees.users.map((u) => validUserId(u)))];
    const emails = [...new Set(invitees.emails.map((e) => e.trim().toLowerCase()))];
    for (const email of emails) {
      if (!EMAIL.test(email) || email.length > 254)
        throw new InvalidInput(`${describe(email)} is not an email address.`, "email");
    }
    if (users.length + emails.length === 0)
      throw new InvalidInput("Name at least one person to invite, as @name or email.", "users");
    if (users.length + emails.length > MAX_INVITEES) {
      throw new InvalidInput(`One invite can name at most ${MAX_INVITEES} people; split it up.`, "users");
    }
    return this.db.transaction(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName, { lock: true });
      await this.policy.require(repos, actor, team, "invites:manage", `invite people to ${team.name}`);
      const role = await this.policy.assignableRole(repos, actor, team, roleName);
      const outcomes: InviteOutcome[] = [];
      for (const user of users) {
        if (await repos.memberships.find(team.id, user))
          outcomes.push({ invitee: user, kind: "already_member" });
        else outcomes.push(await this.inviteOne(repos, actor, team, role, { user }));
      }
      for (const email of emails) outcomes.push(await this.inviteOne(repos, actor, team, role, { email }));
      return { team, role, outcomes };
    });
  }

  /** Accepts an invitation addressed to `actor`: they become a member with its role. */
  async accept(actor: Actor, invitationId: number): Promise<InvitationView> {
    return this.settleAsInvitee(actor, invitationId, "accepted");
  }

  async decline(actor: Actor, invitationId: number): Promise<InvitationView> {
    return this.settleAsInvitee(actor, invitationId, "declined");
  }

  /** Renews a pending invitation's expiry (invites:manage); the caller sends the DM again. */
  async resend(actor: Actor, invitationId: number): Promise<InvitationView> {
    return this.db.transaction(async (repos) => {
      const { invitation, team } = await this.pendingManaged(
        repos,
        actor,
        invitationId,
        "resend invitations to",
      );
      const expiresAt = this.clock.now() + this.ttlDays * DAY;
      await repos.invitations.renew(invitation.id, expiresAt);
      await this.record(repos, actor, team, "invitation.resent", invitation, { expiresAt });
      return this.view(repos, { ...invitation, expiresAt });
    });
  }

  /** Withdraws a pending invitation (invites:manage). */
  async revoke(actor: Actor, invitationId: number): Promise<InvitationView> {
    return this.db.transaction(async (repos) => {
      const { invitation, team } = await this.pendingManaged(
        repos,
        actor,
        invitationId,
        "revoke invitations to",
      );
      if (!(await repos.invitations.settle(invitation.id, "revoked", this.clock.now()))) {
        throw await settledMeanwhile(repos, invitation);
      }
      await this.record(repos, actor, team, "invitation.revoked", invitation, { status: "revoked" });
      return this.view(repos, { ...invitation, status: "revoked" });
    });
  }

  /** A team's pending invitations (invites:manage). */
  async pending(
    actor: Actor,
    teamName: string,
  ): Promise<{ team: TeamEntity; invitations: InvitationView[] }> {
    return this.db.read(async (repos) => {
      const team = await this.policy.findTeam(repos, actor, teamName);
      await this.policy.require(repos, actor, team, "invites:manage", `see the invitations to ${team.name}`);
      const invitations = await repos.invitations.pendingForTeam(team.id);
      return { team, invitations: await Promise.all(invitations.map((i) => this.view(repos, i))) };
    });
  }

  /** The invitations waiting for `actor` to answer (for the App Home). */
  async mine(actor: Actor): Promise<InvitationView[]> {
    return this.db.read(async (repos) => {
      const invitations = await repos.invitations.pendingForUser(actor.workspaceId, actor.userId);
      const live = invitations.filter((i) => i.expiresAt > this.clock.now());
      return Promise.all(live.map((i) => this.view(repos, i)));
    });
  }

  /** Records the DM that carries an invitation's buttons, so it can be updated when settled. */
  async recordMessage(workspaceId: string, invitationId: number, channel: string, ts: string): Promise<void> {
    await this.db.transaction(async (repos) => {
      if (await repos.invitations.findById(workspaceId, invitationId))
        await repos.invitations.setMessage(invitationId, channel, ts);
    });
  }

  /**
   * Someone joined the workspace (Slack's team_join): the invitations sent to their email before
   * they had an account become theirs, ready to be delivered. Idempotent: a redelivered event finds
   * nothing left to claim.
   */
  async claimByEmail(workspaceId: string, userId: string, email: string): Promise<InvitationView[]> {
    const address = email.trim().toLowerCase();
    return this.db.transaction(async (repos) => {
      const claimed: InvitationView[] = [];
      for (const invitation of await repos.invitations.pendingForEmail(workspaceId, address)) {
        if (await repos.invitations.findPending(invitation.teamId, userId)) {
          // Already invited by name as well: the older email invitation is superseded.
          await repos.invitations.settle(invitation.id, "revoked", this.clock.now());
          continue;
        }
        await repos.invitations.assignUser(invitation.id, userId);
        claimed.push(await this.view(repos, { ...invitation, inviteeUserId: userId, pendingKey: userId }));
      }
      return claimed;
    });
  }

  /** Marks every pending invitation past its expiry as expired; returns how many (the job). */
  async expireDue(): Promise<InvitationView[]> {
    const now = this.clock.now();
    const expired: InvitationView[] = [];
    for (;;) {
      const batch = await this.db.transaction(async (repos) => {
        const settledNow: InvitationView[] = [];
        for (const invitation of await repos.invitations.due(now, 100)) {
          // Another process may have settled it since the read: only the winner records it.
          if (!(await repos.invitations.settle(invitation.id, "expired", now))) continue;
          const team = await repos.teams.findById(invitation.workspaceId, invitation.teamId);
          const actor = { workspaceId: invitation.workspaceId, userId: SYSTEM_ACTOR };
          if (team)
            await this.record(repos, actor, team, "invitation.expired", invitation, { status: "expired" });
          settledNow.push(await this.view(repos, { ...invitation, status: "expired" }));
        }
        return settledNow;
      });
      expired.push(...batch);
      if (batch.length < 100) return expired;
    }
  }

  private async inviteOne(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    role: RoleEntity,
    to: { user: string } | { email: string },
  ): Promise<InviteOutcome> {
    const key = "user" in to ? to.user : to.email;
    const now = this.clock.now();
    const expiresAt = now + this.ttlDays * DAY;
    const existing = await repos.invitations.findPending(team.id, key);
    if (existing) {
      // Inviting again renews the pending invitation, with the role asked for this time.
      await repos.invitations.renew(existing.id, expiresAt, role.id);
      await this.record(repos, actor, team, "invitation.resent", existing, { expiresAt, role: role.name });
      return { invitee: key, kind: "renewed", invitation: { ...existing, expiresAt, roleId: role.id } };
    }
    const invitation = await repos.invitations.insert({
      workspaceId: team.workspaceId,
      teamId: team.id,
      inviteeUserId: "user" in to ? to.user : null,
      inviteeEmail: "email" in to ? to.email : null,
      pendingKey: key,
      roleId: role.id,
      inviterUserId: actor.userId,
      status: "pending",
      expiresAt,
      messageChannel: null,
      messageTs: null,
      createdAt: now,
      decidedAt: null,
    });
    await this.record(repos, actor, team, "invitation.created", invitation, { role: role.name, expiresAt });
    return { invitee: key, kind: "user" in to ? "invited" : "waiting_for_join", invitation };
  }

  private async settleAsInvitee(
    actor: Actor,
    invitationId: number,
    status: "accepted" | "declined",
  ): Promise<InvitationView> {
    return this.db.transaction(async (repos) => {
      const invitation = await repos.invitations.findById(actor.workspaceId, invitationId);
      if (!invitation) throw new NotFound("That invitation no longer exists.");
      if (invitation.inviteeUserId !== actor.userId)
        throw new Forbidden("This invitation is for someone else.");
      const team = await repos.teams.lockById(actor.workspaceId, invitation.teamId);
      if (!team) throw new NotFound("The team of that invitation no longer exists.");
      if (invitation.status === "pending" && invitation.expiresAt <= this.clock.now()) {
        throw new Conflict(
          `This invitation to ${team.name} has expired; ask one of its admins to send a new one.`,
        );
      }
      if (!(await repos.invitations.settle(invitation.id, status, this.clock.now()))) {
        throw await settledMeanwhile(repos, invitation);
      }
      if (status === "accepted" && !(await repos.memberships.find(team.id, actor.userId))) {
        const now = this.clock.now();
        await repos.memberships.insert({
          workspaceId: team.workspaceId,
          teamId: team.id,
          userId: actor.userId,
          roleId: invitation.roleId,
          ownerMarker: null,
          status: "active",
          joinedAt: now,
          updatedAt: now,
        });
      }
      await this.record(repos, actor, team, `invitation.${status}`, invitation, { status });
      return this.view(repos, { ...invitation, status });
    });
  }

  /** A pending invitation the actor may manage (invites:manage in its team), with its team locked. */
  private async pendingManaged(repos: Repositories, actor: Actor, invitationId: number, doing: string) {
    const invitation = await repos.invitations.findById(actor.workspaceId, invitationId);
    if (!invitation) throw new NotFound("That invitation no longer exists.");
    const team = await repos.teams.lockById(actor.workspaceId, invitation.teamId);
    if (!team) throw new NotFound("The team of that invitation no longer exists.");
    await this.policy.require(repos, actor, team, "invites:manage", `${doing} ${team.name}`);
    if (invitation.status !== "pending") throw settled(invitation);
    return { invitation, team };
  }

  private async view(repos: Repositories, invitation: InvitationEntity): Promise<InvitationView> {
    const team = await repos.teams.findById(invitation.workspaceId, invitation.teamId);
    const role = await repos.roles.findById(invitation.roleId);
    if (!team || !role) throw new NotFound("The team of that invitation no longer exists.");
    return { ...invitation, team, role };
  }

  private async record(
    repos: Repositories,
    actor: Actor,
    team: TeamEntity,
    action: string,
    invitation: InvitationEntity,
    after: Record<string, string | number>,
  ): Promise<void> {
    await this.audit.record(repos, actor, {
      teamId: team.id,
      action,
      targetType: "invitation",
      targetId: invitation.inviteeUserId ?? invitation.inviteeEmail ?? String(invitation.id),
      before: { status: invitation.status },
      after,
    });
  }
}

function settled(invitation: InvitationEntity): Conflict {
  return new Conflict(`That invitation was already ${invitation.status}; nothing changed.`);
}

/** The invitation lost a race to another settlement: say which, as it now stands. */
async function settledMeanwhile(repos: Repositories, invitation: InvitationEntity): Promise<Conflict> {
  return settled((await repos.invitations.findById(invitation.workspaceId, invitation.id)) ?? invitation);
}
