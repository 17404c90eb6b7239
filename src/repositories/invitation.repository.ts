import type { EntityManager } from "typeorm";
import { InvitationEntity, type InvitationStatus } from "../../entities";

export class InvitationRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo() {
    return this.manager.getRepository(InvitationEntity);
  }

  async findById(workspaceId: string, id: number): Promise<InvitationEntity | null> {
    return this.repo.findOneBy({ workspaceId, id });
  }

  /** The pending invitation of this invitee (user ID, or lowercased email) to the team, if any. */
  async findPending(teamId: number, pendingKey: string): Promise<InvitationEntity | null> {
    return this.repo.findOneBy({ teamId, pendingKey });
  }

  async insert(invitation: Omit<InvitationEntity, "id">): Promise<InvitationEntity> {
    const result = await this.repo.insert(invitation);
    return { ...invitation, id: Number(result.identifiers[0].id) };
  }

  /**
   * Moves a pending invitation to its final status, only if it is still pending: the conditional
   * UPDATE is how two presses of Accept (or Accept racing Revoke) decide once. True if this call won.
   */
  async settle(id: number, status: Exclude<InvitationStatus, "pending">, now: number): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ status, pendingKey: null, decidedAt: now })
      .where("id = :id AND status = 'pending'", { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async renew(id: number, expiresAt: number, roleId?: number): Promise<void> {
    await this.repo.update({ id }, roleId === undefined ? { expiresAt } : { expiresAt, roleId });
  }

  async setMessage(id: number, channel: string, ts: string): Promise<void> {
    await this.repo.update({ id }, { messageChannel: channel, messageTs: ts });
  }

  /** A team's pending invitations, oldest first. */
  async pendingForTeam(teamId: number): Promise<InvitationEntity[]> {
    return this.repo.find({ where: { teamId, status: "pending" }, order: { createdAt: "ASC", id: "ASC" } });
  }

  /** Pending invitations addressed to this user, in every team of the workspace. */
  async pendingForUser(workspaceId: string, userId: string): Promise<InvitationEntity[]> {
    return this.repo.find({
      where: { workspaceId, inviteeUserId: userId, status: "pending" },
      order: { createdAt: "ASC" },
    });
  }

  /** Pending invitations to an email address nobody in the workspace had when they were sent. */
  async pendingForEmail(workspaceId: string, email: string): Promise<InvitationEntity[]> {
    return this.manager
      .getRepository(InvitationEntity)
      .createQueryBuilder("i")
      .where("i.workspace_id = :workspaceId AND i.invitee_email = :email", { workspaceId, email })
      .andWhere("i.invitee_user_id IS NULL AND i.status = 'pending'")
      .getMany();
  }

  /** Hands an email invitation to the person who just joined with that address. */
  async assignUser(id: number, userId: string): Promise<void> {
    await this.repo.update({ id }, { inviteeUserId: userId, pendingKey: userId });
  }

  /** Pending invitations whose expiry has passed, a batch at a time. */
  async due(now: number, limit: number): Promise<InvitationEntity[]> {
    return this.repo
      .createQueryBuilder("i")
      .where("i.status = 'pending' AND i.expires_at <= :now", { now })
      .orderBy("i.expires_at", "ASC")
      .limit(limit)
      .getMany();
  }
}
