import { createHmac } from "node:crypto";

export {
  appHomeOpened,
  blockActions,
  eventCallback,
  slashCommand,
  teamJoin,
  viewSubmission,
  type BlockActionsInput,
  type SlashCommandInput,
  type ViewInput,
  type ViewSubmissionInput,
} from "./slack-payloads";

/**
 * The headers Slack puts on every request to the app
 * (https://api.slack.com/authentication/verifying-requests-from-slack): an HMAC-SHA256 of
 * "v0:<timestamp>:<raw body>" keyed with the signing secret. Bolt refuses a timestamp more than
 * five minutes old, so tests of that rule pass their own timestampSeconds.
 */
export function signSlackBody(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const hash = createHmac("sha256", signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest("hex");
  return {
    "X-Slack-Signature": `v0=${hash}`,
    "X-Slack-Request-Timestamp": String(timestampSeconds),
  };
}

export type SlackAppBody =
  /** A slash command: its fields form-encoded. */
  | { form: Record<string, string> }
  /** An interaction (block_actions, view_submission, ...): one form field `payload` holding JSON. */
  | { payload: object }
  /** An Events API envelope: a JSON body. */
  | { json: object };

export interface PostOptions {
  timestampSeconds?: number;
  /** Slack retries an event it got no 200 for within 3 seconds, numbering each retry. */
  retryNum?: number;
  /** Sign with the wrong secret, as a forged request would be. */
  badSignature?: boolean;
}

export interface PostResult {
  status: number;
  text: string;
  json?: unknown;
  /** How long the app took to answer; Slack gives up after 3 seconds. */
  ms: number;
}

function encode(body: SlackAppBody): { rawBody: string; contentType: string } {
  // Bolt compares the content type exactly, so no "; charset" suffix (Slack sends none either).
  if ("form" in body) {
    return {
      rawBody: new URLSearchParams(body.form).toString(),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  if ("payload" in body) {
    const rawBody = new URLSearchParams({ payload: JSON.stringify(body.payload) }).toString();
    return { rawBody, contentType: "application/x-www-form-urlencoded" };
  }
  return { rawBody: JSON.stringify(body.json), contentType: "application/json" };
}

/** POSTs to the app's /slack/events exactly as Slack would: same encoding, headers and signature. */
export async function postToSlackApp(
  url: string,
  signingSecret: string,
  body: SlackAppBody,
  options: PostOptions = {},
): Promise<PostResult> {
  const { rawBody, contentType } = encode(body);
  const secret = options.badSignature ? `${signingSecret}-forged` : signingSecret;
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    ...signSlackBody(secret, rawBody, options.timestampSeconds),
  };
  if (options.retryNum !== undefined) {
    headers["X-Slack-Retry-Num"] = String(options.retryNum);
    headers["X-Slack-Retry-Reason"] = "http_timeout";
  }
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers, body: rawBody });
  const text = await response.text();
  const ms = performance.now() - started;
  const result: PostResult = { status: response.status, text, ms };
  if (text !== "" && (response.headers.get("content-type") ?? "").includes("json")) {
    result.json = JSON.parse(text) as unknown;
  }
  return result;
}
