import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { Logger } from "../logger";
import type { SlackDeps } from "../slack/deps";
import { errorAnswer, methodNotAllowed, unauthorized } from "./api-errors";
import {
  type ApiContext,
  type ApiHandler,
  type ApiOutcome,
  checkAccess,
  checkUsage,
  type NoticeSink,
  recordUsage,
  reportUsage,
} from "./api-handlers";
import { bearerToken, ClientGone, discardBody, sendJson } from "./api-request";
import { ApiUsers } from "./api-users";

interface Endpoint {
  path: string;
  handlers: Partial<Record<string, ApiHandler>>;
}

/** SPEC section 5. */
const ENDPOINTS: Endpoint[] = [
  { path: "/api/v1/usage", handlers: { GET: reportUsage, POST: recordUsage } },
  { path: "/api/v1/usage/check", handlers: { POST: checkUsage } },
  { path: "/api/v1/access/check", handlers: { POST: checkAccess } },
];

const unknownKey = () =>
  unauthorized("That API key is unknown or has been revoked; ask a team admin for a new one.");

/** Every method is routed to us, so a wrong one gets a JSON 405 rather than Bolt's bare 404. */
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * The HTTP API as Bolt custom routes: served on the same port as /slack/events in HTTP mode, and
 * by the Socket Mode receiver's own server otherwise.
 */
export function apiRoutes(deps: SlackDeps, notices: NoticeSink, timeZone: string): CustomRoute[] {
  const ctx: ApiContext = {
    services: deps.services,
    users: new ApiUsers((email) => deps.people.byEmail(email), deps.clock),
    notices,
    clock: deps.clock,
    timeZone,
  };
  return ENDPOINTS.map((endpoint) => ({
    path: endpoint.path,
    method: ALL_METHODS,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void serve(endpoint, req, res, ctx, deps.logger);
    },
  }));
}

/**
 * One request: method, key, handler, answer; then whatever must wait until the answer is sent. No
 * answer goes out before the key is confirmed live: by the handler's own statement (the spend
 * path), or here.
 * Every outcome, error or not, is one log line with the request's id (never the key or the body).
 */
async function serve(
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
  logger: Logger,
): Promise<void> {
  const requestId = randomUUID();
  const started = performance.now();
  const method = (req.method ?? "GET").toUpperCase();
  res.setHeader("X-Request-Id", requestId);
  let ids: { workspaceId?: string; teamId?: number; keyId?: number } = {};
  let status: number;
  try {
    const handler = endpoint.handlers[method];
    if (!handler) throw methodNotAllowed(method, Object.keys(endpoint.handlers));
    const presented = bearerToken(req);
    if (!presented) {
      throw unauthorized(
        "Send your team's API key as Authorization: Bearer <key>; /team key create makes one.",
      );
    }
    const { apiKeys } = ctx.services;
    const admitted = await apiKeys.admit(presented);
    if (!admitted) throw unknownKey();
    const { identity: key } = admitted;
    ids = { workspaceId: key.workspaceId, teamId: key.teamId, keyId: key.keyId };
    let confirmed = admitted.confirmed ? Promise.resolve(key) : undefined;
    const live = () =>
      (confirmed ??= apiKeys.confirm(presented).then((found) => found ?? Promise.reject(unknownKey())));
    let outcome: ApiOutcome;
    try {
      outcome = await handler({ req, key, live, ctx });
    } catch (error) {
      // A revoked key is refused as such, whatever else was wrong with the request.
      await live();
      throw error;
    }
    if (!outcome.keyConfirmed) await live();
    status = 200;
    sendJson(res, status, outcome.body);
    outcome.afterSend?.();
  } catch (error) {
    if (error instanceof ClientGone) {
      logger.info(
        { requestId, method, path: endpoint.path, ...ids },
        "API client left before sending its body",
      );
      return;
    }
    const answer = errorAnswer(error, requestId);
    status = answer.status;
    if (answer.unexpected)
      logger.error({ requestId, method, path: endpoint.path, ...ids, err: error }, "API request failed");
    else if (status === 503)
      logger.warn(
        { requestId, method, path: endpoint.path, ...ids, err: error },
        "API dependency unavailable",
      );
    sendJson(res, status, answer.body, answer.headers);
    discardBody(req);
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  logger.info({ requestId, method, path: endpoint.path, status, ms, ...ids }, "API request");
}
