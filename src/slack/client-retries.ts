import { ErrorCode } from "@slack/web-api";

// Failures that mean the request never reached Slack: nothing happened, so trying again is safe.
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * WebClient's retry hook (p-retry's onFailedAttempt) for the app's clients. A 429 is tried again
 * when Retry-After says (WebClient waits), and so is a connection Slack never accepted. A 5xx or a
 * connection lost mid-call is not: Slack may have done the work and only the answer was lost, so a
 * blind retry would send a DM, a card or a post twice. The caller reports the failure instead
 * (the digest, which must be sent, looks for its lost post before retrying: SlackSender).
 */
export function stopOnAmbiguousFailure(error: Error): void {
  const e = error as {
    code?: string;
    statusCode?: number;
    original?: { message?: string; cause?: { code?: string } };
  };
  if (e.code === ErrorCode.HTTPError && (e.statusCode ?? 0) >= 500) throw error;
  if (e.code !== ErrorCode.RequestError) return;
  // After waiting out a 429's Retry-After, WebClient asks for the retry with an error of its own.
  if (e.original?.message?.startsWith("A rate limit was exceeded")) return;
  if (!NEVER_SENT.has(e.original?.cause?.code ?? "")) throw error;
}

/**
 * A Web API call Slack didn't answer: an outage (5xx), a dropped connection, a rate limit not
 * waited out, or a modal's trigger_id that expired (Slack allows 3 seconds) while Slack was slow.
 */
export function slackDidNotAnswer(error: unknown): boolean {
  const e = error as { code?: string; statusCode?: number; data?: { error?: string } } | undefined;
  if (e?.code === ErrorCode.HTTPError) return (e.statusCode ?? 0) >= 500;
  if (e?.code === ErrorCode.RequestError || e?.code === ErrorCode.RateLimitedError) return true;
  return e?.code === ErrorCode.PlatformError && e.data?.error === "expired_trigger_id";
}
