import { ZodError } from "zod";
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
  if (error instanceof ZodError) {
    // The form's state isn't what this version of the form sends: a form opened before a
    // release (an option since removed, a block since added) and submitted after it.
    logger.warn({ ...ids, err: error }, "modal submission from another version of the form");
    const path = error.issues[0]?.path[0];
    const block =
      typeof path === "string" && Object.values(blockForField).includes(path) ? path : fallbackBlock;
    return {
      response_action: "errors",
      errors: { [block]: "This form has changed since it was opened; close it and open it again." },
    };
  }
  logger.error({ ...ids, err: error }, "modal submission failed");
  return {
    response_action: "errors",
    errors: { [fallbackBlock]: "Something went wrong on our side; please try again." },
  };
}
