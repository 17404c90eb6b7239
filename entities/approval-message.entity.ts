import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { slackIdColumn } from "./columns";

/** One Slack message carrying a request's Approve/Deny buttons (a channel card, or a DM to an admin). */
@Entity("approval_messages")
@Index("uq_approval_messages_message", ["channelId", "messageTs"], { unique: true })
@Index("ix_approval_messages_request", ["requestId"])
export class ApprovalMessageEntity {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: "integer", name: "request_id" })
  requestId: number;

  @Column(slackIdColumn({ name: "channel_id" }))
  channelId: string;

  @Column({ type: "varchar", length: 32, name: "message_ts" })
  messageTs: string;
}
