import type { EntityManager } from "typeorm";
import {
  ApprovalMessageEntity,
  type ApprovalKind,
  ApprovalRequestEntity,
  type ApprovalStatus,
} from "../../entities";

export class ApprovalRepository {
  constructor(private readonly manager: EntityManager) {}

  private get requests() {
    return this.manager.getRepository(ApprovalRequestEntity);
  }

  async findById(workspaceId: string, id: number): Promise<ApprovalRequestEntity | null> {
    return this.requests.findOneBy({ workspaceId, id });
  }

  async findPending(
    teamId: number,
    kind: ApprovalKind,
    requesterUserId: string,
  ): Promise<ApprovalRequestEntity | null> {
    return this.requests.findOneBy({ teamId, kind, pendingKey: requesterUserId });
  }

  async insert(request: Omit<ApprovalRequestEntity, "id">): Promise<ApprovalRequestEntity> {
    const result = await this.requests.insert(request);
    return { ...request, id: Number(result.identifiers[0].id) };
  }

  /**
   * Decides a request if nobody has yet: one conditional UPDATE, so of any number of presses from
   * any number of processes exactly one finds the row still pending. True if this call decided it.
   */
  async decide(
    id: number,
    status: Exclude<ApprovalStatus, "pending">,
    decidedBy: string,
    now: number,
  ): Promise<boolean> {
    const result = await this.requests
      .createQueryBuilder()
      .update()
      .set({ status, decidedBy, decidedAt: now, pendingKey: null })
      .where("id = :id AND status = 'pending'", { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Marks a request escalated, once: true only for the call that did it. */
  async markEscalated(id: number, now: number): Promise<boolean> {
    const result = await this.requests
      .createQueryBuilder()
      .update()
      .set({ escalatedAt: now })
      .where("id = :id AND status = 'pending' AND escalated_at IS NULL", { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Gives an escalation back (its cards reached nobody), so a later run can try again. */
  async unmarkEscalated(id: number, escalatedAt: number): Promise<void> {
    await this.requests
      .createQueryBuilder()
      .update()
      .set({ escalatedAt: null })
      .where("id = :id AND status = 'pending' AND escalated_at = :escalatedAt", { id, escalatedAt })
      .execute();
  }

  async pendingInWorkspace(workspaceId: string): Promise<ApprovalRequestEntity[]> {
    return this.requests.find({
      where: { workspaceId, status: "pending" },
      order: { createdAt: "ASC", id: "ASC" },
    });
  }

  /** Pending, never escalated, and asked before `before`. */
  async dueForEscalation(before: number, limit: number): Promise<ApprovalRequestEntity[]> {
    return this.requests
      .createQueryBuilder("r")
      .where("r.status = 'pending' AND r.escalated_at IS NULL AND r.created_at <= :before", { before })
      .orderBy("r.created_at", "ASC")
      .limit(limit)
      .getMany();
  }

  /**
   * Records a card. Slack never reuses a (channel, ts), so a row already there is a retry or left by
   * a message that no longer exists (a Slack stand-in restarted on the same database, as the
   * console does): the message now carries this request.
   */
  async addMessage(requestId: number, channelId: string, messageTs: string): Promise<void> {
    const messages = this.manager.getRepository(ApprovalMessageEntity);
    const existing = await messages.findOneBy({ channelId, messageTs });
    if (!existing) await messages.insert({ requestId, channelId, messageTs });
    else if (existing.requestId !== requestId) await messages.update({ id: existing.id }, { requestId });
  }

  async messages(requestId: number): Promise<ApprovalMessageEntity[]> {
    return this.manager
      .getRepository(ApprovalMessageEntity)
      .find({ where: { requestId }, order: { id: "ASC" } });
  }
}
