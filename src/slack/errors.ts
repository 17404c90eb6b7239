import { DomainError, Unavailable } from "../domain/errors";
import type { Logger } from "../logger";
import { type Reply, textReply } from "./reply";

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
  if (error instanceof DomainError) return textReply(`:no_entry_sign: ${error.message}`);
  logger.error({ ...ids, err: error }, "request failed");
  return textReply(":warning: Something went wrong on our side; please try again in a moment.");
}
