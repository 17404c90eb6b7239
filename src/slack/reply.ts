import type { KnownBlock } from "@slack/types";

/** A message for the user: Block Kit plus the plain-text fallback Slack shows in notifications. */
export interface Reply {
  text: string;
  blocks?: KnownBlock[];
  /** Replies are private unless a command says otherwise. */
  visibility?: "ephemeral" | "in_channel";
}

export function textReply(text: string): Reply {
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }] };
}

/** The shape Slack wants in an ack body or a response_url post. */
export function toSlackMessage(reply: Reply, options: { replaceOriginal?: boolean } = {}) {
  return {
    text: reply.text,
    blocks: reply.blocks,
    response_type: reply.visibility ?? "ephemeral",
    ...(options.replaceOriginal !== undefined && { replace_original: options.replaceOriginal }),
  };
}
