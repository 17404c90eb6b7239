import { ZodError } from "zod";
import {
  Conflict,
  DomainError,
  Forbidden,
  InvalidInput,
  LimitExceeded,
  NotFound,
  Unavailable,
} from "../domain/errors";
import { KeyRevoked } from "../services/api-key.service";

/** The body of every error answer (SPEC section 5). */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error that is about HTTP itself (a missing key, a wrong method, an oversized body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function unauthorized(message: string): ApiError {
  return new ApiError(401, "unauthorized", message, undefined, {
    "WWW-Authenticate": 'Bearer realm="roster"',
  });
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ApiError {
  return new ApiError(
    405,
    "method_not_allowed",
    `${method} is not allowed here; use ${allowed.join(" or ")}.`,
    undefined,
    { Allow: allowed.join(", ") },
  );
}

export interface ErrorAnswer {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
  /** True for failures of ours (500): they are logged with the request id. */
  unexpected: boolean;
}

/**
 * The one place an error becomes an HTTP answer: domain errors by kind, zod errors as a 400 naming
 * the field (`events[3].tokens`), anything else a 500 whose message carries only the request id.
 */
export function errorAnswer(error: unknown, requestId: string): ErrorAnswer {
  const answer = (
    status: number,
    code: string,
    message: string,
    field?: string,
    headers = {},
  ): ErrorAnswer => ({
    status,
    body: { error: { code, message, ...(field !== undefined && { field }) } },
    headers,
    unexpected: false,
  });
  if (error instanceof ApiError)
    return answer(error.status, error.code, error.message, error.field, error.headers);
  if (error instanceof KeyRevoked)
    return answer(401, "unauthorized", error.message, undefined, {
      "WWW-Authenticate": 'Bearer realm="roster"',
    });
  if (error instanceof ZodError) {
    const issue = firstIssue(error);
    const field = fieldPath(issue.path);
    // Every schema message names its field; the path says which one of many (events[3]).
    return answer(400, "invalid_input", issue.message, field || undefined);
  }
  if (error instanceof Unavailable)
    return answer(503, error.code, error.message, undefined, { "Retry-After": "30" });
  if (error instanceof InvalidInput) return answer(400, error.code, error.message, error.field);
  if (error instanceof NotFound) return answer(404, error.code, error.message, error.field);
  if (error instanceof Forbidden) return answer(403, error.code, error.message);
  if (error instanceof Conflict) return answer(409, error.code, error.message, error.field);
  if (error instanceof LimitExceeded) return answer(429, error.code, error.message, error.field);
  if (error instanceof DomainError) return answer(400, error.code, error.message, error.field);
  return {
    ...answer(
      500,
      "internal_error",
      `Something went wrong on our side; try again, and quote request ${requestId} if it persists.`,
    ),
    unexpected: true,
  };
}

/** The shallowest problem first: "events has 1,001 items" says more than one of its items. */
function firstIssue(error: ZodError): ZodError["issues"][number] {
  return [...error.issues].sort((a, b) => a.path.length - b.path.length)[0];
}

/** ["events", 3, "tokens"] -> "events[3].tokens". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}
