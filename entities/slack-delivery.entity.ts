import { Column, Entity, PrimaryColumn } from "typeorm";
import { timeColumn } from "./columns";

/** One Slack delivery (an event's event_id, an interaction's trigger_id) already taken in. */
@Entity("slack_deliveries")
export class SlackDeliveryEntity {
  @PrimaryColumn({ type: "varchar", length: 191, name: "delivery_key" })
  deliveryKey: string;

  @Column(timeColumn({ name: "received_at" }))
  receivedAt: number;
}
