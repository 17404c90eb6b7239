import { DomainError } from "../../domain/errors";
import type { Logger } from "../../logger";

/**
 * Turns a failure into Slack's `response_action: "errors"`: the message appears under the input
 * block it is about (by the error's field, mapped to a block_id), or under `fallbackBlock`.
 */
export function modalErrors(
  error: unknown,
  blockForField: Record<string, string>,
  fallbackBlock: string,
  logger: Logger,
  ids: Record<string, string | undefined>,
): { response_action: "errors"; errors: Record<string, string> } {
  if (error instanceof DomainError) {
    const block = (error.field && blockForField[error.field]) || fallbackBlock;
    return { response_action: "errors", errors: { [block]: error.message } };
  }
  logger.error({ ...ids, err: error }, "modal submission failed");
  return {
    response_action: "errors",
    errors: { [fallbackBlock]: "Something went wrong on our side; please try again." },
  };
}
