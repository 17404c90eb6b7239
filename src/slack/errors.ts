import { DomainError, Unavailable } from "../domain/errors";
import type { Logger } from "../logger";
import { slackDidNotAnswer } from "./client-retries";
import { type Reply, textReply } from "./reply";
import { section } from "./blocks/common";

export interface RequestIds {
  workspaceId?: string;
  userId?: string;
  triggerId?: string;
  kind: string;
  name?: string;
}

/**
 * The one place an error becomes what the Slack user sees. Domain errors are already one clear
 * sentence; anything else is logged with the request's ids and answered with a short apology,
 * never a stack trace.
 */
export function errorReply(error: unknown, logger: Logger, ids: RequestIds): Reply {
  if (error instanceof Unavailable) {
    logger.warn({ ...ids, err: error }, "database unavailable");
    return textReply(`:warning: ${error.message}`);
  }
  if (error instanceof DomainError) {
    const text = `:no_entry_sign: ${error.message}`;
    return { text, blocks: [section(asMrkdwn(text))] };
  }
  if (slackDidNotAnswer(error)) {
    logger.warn({ ...ids, err: error }, "Slack didn't answer");
    return textReply(":warning: Slack didn't answer in time; please try again in a moment.");
  }
  logger.error({ ...ids, err: error }, "request failed");
  return textReply(":warning: Something went wrong on our side; please try again in a moment.");
}

/** A real mention of a person or a channel, which a refusal may name on purpose. */
const MENTION = /(<[@#][A-Z0-9]+(?:\|[^<>]*)?>)/;

/**
 * A sentence as Slack mrkdwn: its mentions stay mentions, while any other `<` or `>` (the
 * `<team>` of a usage line) is escaped, which Slack would otherwise show as a link.
 */
function asMrkdwn(sentence: string): string {
  return sentence
    .split(MENTION)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/&(?=(?:amp|lt|gt);)/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;"),
    )
    .join("");
}
