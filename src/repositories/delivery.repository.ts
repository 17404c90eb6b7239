import type { EntityManager } from "typeorm";
import { SlackDeliveryEntity } from "../../entities";
import { isUniqueViolation } from "../db/db-errors";

export class DeliveryRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Records the key; false when it was already there (by this process or another). */
  async record(deliveryKey: string, now: number): Promise<boolean> {
    try {
      await this.manager.getRepository(SlackDeliveryEntity).insert({ deliveryKey, receivedAt: now });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async deleteOlderThan(time: number): Promise<void> {
    await this.manager
      .createQueryBuilder()
      .delete()
      .from(SlackDeliveryEntity)
      .where("received_at < :time", { time })
      .execute();
  }
}
