import type { EntityManager } from "typeorm";
import { SlackDeliveryEntity } from "../../entities";
import { isUniqueViolation } from "../db/db-errors";

export class DeliveryRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Records the key; false when it was already there (by this process or another). */
  async record(deliveryKey: string, now: number): Promise<boolean> {
    try {
      // Plain SQL: this runs on the ack path of every command and interaction.
      await this.manager.query("INSERT INTO slack_deliveries (delivery_key, received_at) VALUES (?, ?)", [
        deliveryKey,
        now,
      ]);
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
