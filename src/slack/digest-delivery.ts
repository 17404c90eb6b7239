import type { KnownBlock } from "@slack/types";
import type { Logger } from "../logger";
import type { HeldClaim } from "../services/job-claim.service";
import { shareFile } from "./file-share";
import { slackError } from "./people";
import type { SlackSender } from "./slack-retry";

/** The event_type of the metadata on every digest message: how a lost answer is recognised later. */
export const DIGEST_EVENT = "roster_digest";

/** What has been done for one digest so far, kept in its claim's progress. */
export interface DigestProgress {
  /** When the post was first attempted: from then on, a retry first looks for the message. */
  postStartedAt?: number;
  channel?: string;
  ts?: string;
  chartStartedAt?: number;
  chartFileId?: string;
  /** The channel was gone: the people who got the digest by DM instead. */
  dmSent?: string[];
}

export interface DigestPost {
  teamId: number;
  period: string;
  channel: string;
  text: string;
  blocks: KnownBlock[];
  /** The chart, rendered only when it is about to be shared. */
  chart: () => Promise<{ png: Buffer; title: string; altText: string } | null>;
  /** Who gets the digest when the channel is gone or archived (the team's admins and owner). */
  fallbackUsers: () => Promise<string[]>;
}

export type DigestOutcome = "posted" | "dm_fallback" | "undeliverable";

/** chat.postMessage errors that mean the channel can't take the digest, however often we try. */
const CHANNEL_GONE = new Set([
  "channel_not_found",
  "is_archived",
  "not_in_channel",
  "restricted_action",
  "team_access_not_granted",
]);

// How far back in the channel a lost post is looked for: the latest messages, since the step was
// attempted moments (or, after a crash, one lease) ago.
const HISTORY_LOOKBACK = 200;

/**
 * Delivers one digest under its claim, step by step, saving each step in the claim before the next:
 * the message, then the chart in the same channel. A step whose answer was lost (a 5xx, a timeout,
 * a crash before the step was saved) is looked for in the channel's history before it is tried
 * again, so a digest is never posted twice. A channel that is gone or archived sends the digest to
 * the team's admins by DM instead, and says so once in the log.
 */
export async function deliverDigest(
  sender: SlackSender,
  claim: HeldClaim<DigestProgress>,
  post: DigestPost,
  logger: Logger,
): Promise<DigestOutcome> {
  const progress = { ...claim.progress };
  if (!progress.ts && !progress.dmSent) {
    const posted = await postMessage(sender, claim, progress, post);
    if (posted === "channel_gone") return dmFallback(sender, claim, progress, post, logger);
  }
  if (progress.ts && progress.channel) await shareChart(sender, claim, progress, post, progress.channel);
  return progress.dmSent ? "dm_fallback" : "posted";
}

async function postMessage(
  sender: SlackSender,
  claim: HeldClaim<DigestProgress>,
  progress: DigestProgress,
  post: DigestPost,
): Promise<"posted" | "channel_gone"> {
  const client = sender.client;
  const payload = { team_id: post.teamId, period: post.period };
  const findPosted = async () => {
    if (progress.postStartedAt === undefined) return undefined;
    const history = await client.conversations.history({
      channel: post.channel,
      include_all_metadata: true,
      limit: HISTORY_LOOKBACK,
    });
    const found = history.messages?.find((m) => {
      const event = m.metadata?.event_payload as Record<string, unknown> | undefined;
      return (
        m.metadata?.event_type === DIGEST_EVENT &&
        event?.team_id === post.teamId &&
        event?.period === post.period
      );
    });
    return found?.ts ? { channel: post.channel, ts: found.ts } : undefined;
  };
  try {
    // A previous attempt may have posted before it lost its answer (or its process).
    let result = await sender.send("conversations.history", findPosted);
    if (!result) {
      progress.postStartedAt = progress.postStartedAt ?? Date.now();
      await claim.save(progress);
      await sender.paceChannel(post.channel);
      result = await sender.send(
        "chat.postMessage",
        async () => {
          const answer = await client.chat.postMessage({
            channel: post.channel,
            text: post.text,
            blocks: post.blocks,
            metadata: { event_type: DIGEST_EVENT, event_payload: payload },
            unfurl_links: false,
            unfurl_media: false,
          });
          return { channel: answer.channel ?? post.channel, ts: answer.ts ?? "" };
        },
        findPosted,
      );
    }
    progress.channel = result.channel;
    progress.ts = result.ts;
    await claim.save(progress);
    return "posted";
  } catch (error) {
    if (CHANNEL_GONE.has(slackError(error) ?? "")) return "channel_gone";
    throw error;
  }
}

async function shareChart(
  sender: SlackSender,
  claim: HeldClaim<DigestProgress>,
  progress: DigestProgress,
  post: DigestPost,
  channel: string,
): Promise<void> {
  if (progress.chartFileId) return;
  const client = sender.client;
  const findShared = async () => {
    if (progress.chartStartedAt === undefined) return undefined;
    const history = await client.conversations.history({
      channel,
      limit: HISTORY_LOOKBACK,
    });
    // Only the digest shares files, and its chart follows its message.
    const found = history.messages?.find((m) => m.files?.length && Number(m.ts) > Number(progress.ts));
    return found?.files?.[0]?.id;
  };
  let fileId = await sender.send("conversations.history", findShared);
  if (!fileId) {
    const chart = await post.chart();
    if (!chart) return;
    progress.chartStartedAt = progress.chartStartedAt ?? Date.now();
    await claim.save(progress);
    await sender.paceChannel(channel);
    fileId = await sender.send(
      "files.completeUploadExternal",
      () =>
        shareFile(client, {
          channel,
          bytes: chart.png,
          filename: `digest-${post.period}.png`,
          title: chart.title,
          altText: chart.altText,
        }),
      findShared,
    );
  }
  progress.chartFileId = fileId;
  await claim.save(progress);
}

async function dmFallback(
  sender: SlackSender,
  claim: HeldClaim<DigestProgress>,
  progress: DigestProgress,
  post: DigestPost,
  logger: Logger,
): Promise<DigestOutcome> {
  const recipients = await post.fallbackUsers();
  if (!progress.dmSent) {
    // Once per team and period: the claim is finished after this, whatever the DMs do.
    logger.warn(
      { teamId: post.teamId, channel: post.channel, period: post.period, recipients: recipients.length },
      "the team's channel can't take the digest (gone, archived or without the app); sending it to the team's admins by DM",
    );
  }
  progress.dmSent = progress.dmSent ?? [];
  for (const userId of recipients) {
    if (progress.dmSent.includes(userId)) continue;
    try {
      await sender.send("chat.postMessage", () =>
        sender.client.chat.postMessage({
          channel: userId,
          text: `${post.text}\n(Sent to you because the team's channel <#${post.channel}> can't take it.)`,
          blocks: post.blocks,
          unfurl_links: false,
        }),
      );
    } catch (error) {
      logger.warn({ err: error, userId, teamId: post.teamId }, "a digest DM failed");
      continue;
    }
    progress.dmSent.push(userId);
    await claim.save(progress);
  }
  await claim.save(progress);
  return progress.dmSent.length > 0 ? "dm_fallback" : "undeliverable";
}
