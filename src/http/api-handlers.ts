import type { IncomingMessage } from "node:http";
import type { Clock } from "../clock";
import { InvalidInput, NotFound } from "../domain/errors";
import { nameKey } from "../domain/validation";
import type { Services } from "../services";
import type { KeyIdentity } from "../services/api-key.service";
import type { LimitNotice, SpendInput, SpendResult } from "../services/usage.service";
import { queryOf, readJsonBody } from "./api-request";
import { accessBody, checkBody, parseUsageBody, reportQuery } from "./api-schemas";
import type { ApiUsers } from "./api-users";

/** Limit notices go out after the answer, so the platform never waits on Slack. */
export interface NoticeSink {
  deliver(workspaceId: string, notices: LimitNotice[]): void;
}

export interface ApiContext {
  services: Services;
  users: ApiUsers;
  notices: NoticeSink;
  clock: Clock;
  timeZone: string;
}

export interface ApiCall {
  req: IncomingMessage;
  /** The key's team as this process knows it (a key never changes team; its team may be renamed). */
  key: KeyIdentity;
  /**
   * The key confirmed live in the database (once per request), with its team's current name; fails
   * with a 401 if it was revoked. A handler that writes confirms the key before it does, here or in
   * its own statement (then its outcome says `keyConfirmed`).
   */
  live: () => Promise<KeyIdentity>;
  ctx: ApiContext;
}

/** A 200 answer's body, and what to do once it has been sent. */
export interface ApiOutcome {
  body: unknown;
  afterSend?: () => void;
  /** The handler's own statement confirmed the key live (see ApiCall.live). */
  keyConfirmed?: boolean;
}

export type ApiHandler = (call: ApiCall) => Promise<ApiOutcome>;

/** Clocks differ a little; usage dated further ahead than this is a mistake, not a clock. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * `POST /api/v1/usage`: records up to 1,000 events under every limit, atomically. The whole body is
 * validated (and its emails resolved) before anything is recorded; an email nobody in the workspace
 * has makes that one event `rejected` with `not_a_member`.
 */
export const recordUsage: ApiHandler = async ({ req, key, live, ctx }) => {
  const body = parseUsageBody(await readJsonBody(req));
  await ownTeamOnly(body.team, live);
  const latest = ctx.clock.now() + FUTURE_SKEW_MS;
  body.events.forEach((event, i) => {
    if (event.occurredAt !== undefined && event.occurredAt > latest) {
      throw new InvalidInput(
        "occurredAt is in the future; report usage once it has happened.",
        `events[${i}].occurredAt`,
      );
    }
  });
  const users = await ctx.users.resolve(body.events.map((e) => e.user));
  const results: SpendResult[] = new Array<SpendResult>(body.events.length);
  const spends: SpendInput[] = [];
  const positions: number[] = [];
  body.events.forEach((event, i) => {
    const userId = users.get(event.user);
    if (!userId) {
      results[i] = {
        transactionId: event.transactionId,
        status: "rejected",
        reason: "not_a_member",
        remaining: 0,
        transactionMax: 0,
      };
      return;
    }
    const spend: SpendInput = {
      transactionId: event.transactionId,
      userId,
      tokens: event.tokens,
      resource: event.resource,
    };
    if (event.occurredAt !== undefined) spend.occurredAt = event.occurredAt;
    spends.push(spend);
    positions.push(i);
  });
  if (spends.length === 0) return { body: { results } };
  const recorded = await ctx.services.usage.record(key.workspaceId, key.teamId, spends, { keyId: key.keyId });
  recorded.results.forEach((result, j) => (results[positions[j]] = result));
  const { notices } = recorded;
  return {
    body: { results },
    afterSend: notices.length ? () => ctx.notices.deliver(key.workspaceId, notices) : undefined,
    keyConfirmed: true,
  };
};

/** `POST /api/v1/usage/check`: would this spend be allowed now? Records nothing. */
export const checkUsage: ApiHandler = async ({ req, key, live, ctx }) => {
  const body = checkBody.parse(await readJsonBody(req));
  await ownTeamOnly(body.team, live);
  const userId = await ctx.users.resolveOne(body.user);
  if (!userId) return { body: { allowed: false, reason: "not_a_member", remaining: 0, transactionMax: 0 } };
  const verdict = await ctx.services.usage.check(key.workspaceId, key.teamId, userId, body.tokens, {
    keyId: key.keyId,
  });
  return {
    body: {
      allowed: verdict.allowed,
      ...(verdict.reason !== undefined && { reason: verdict.reason }),
      remaining: verdict.remaining,
      transactionMax: verdict.transactionMax,
    },
    keyConfirmed: true,
  };
};

/**
 * `GET /api/v1/usage?from&to&by`: totals of the key's team and its sub-teams, by user, resource or
 * day (local days in TIMEZONE). Default: the last 30 days up to today, by user.
 */
export const reportUsage: ApiHandler = async ({ req, key, live, ctx }) => {
  const query = reportQuery.parse(queryOf(req));
  await ownTeamOnly(query.team, live);
  const by = query.by ?? "user";
  const found = query.user === undefined ? undefined : await ctx.users.resolveOne(query.user);
  const report = await ctx.services.usageReports.report(key.workspaceId, key.teamId, {
    from: query.from,
    to: query.to,
    by,
    userId: found ?? undefined,
  });
  // Nobody in the workspace has that email, so nobody by it has spent anything here.
  if (query.user !== undefined && !found) Object.assign(report, { total: 0, rows: [] });
  return {
    body: {
      from: report.from,
      to: report.to,
      by: report.by,
      total: report.total,
      rows: report.rows.map((r) => ({ key: r.key, tokens: r.tokens, events: r.events })),
    },
  };
};

/**
 * `POST /api/v1/access/check`: may this user do this in the key's team (role, team grant), or use
 * this resource (share, honouring resourceSharing)? The reason names what decided it.
 */
export const checkAccess: ApiHandler = async ({ req, key, live, ctx }) => {
  const body = accessBody.parse(await readJsonBody(req));
  await ownTeamOnly(body.team, live);
  const userId = await ctx.users.resolveOne(body.user);
  if (!userId) {
    return {
      body: {
        allowed: false,
        reason: `nobody in this Slack workspace has that email, so not a member of ${(await live()).teamName}`,
      },
    };
  }
  const decision = await ctx.services.access.check(
    key.workspaceId,
    key.teamId,
    userId,
    body.permission,
    body.resource,
  );
  return { body: { allowed: decision.allowed, reason: decision.reason } };
};

/**
 * A key reads and writes its own team only. Naming another team (by `team`) is answered exactly
 * like a team that doesn't exist, so a key can't learn which other teams there are.
 */
async function ownTeamOnly(team: string | undefined, live: () => Promise<KeyIdentity>): Promise<void> {
  if (team === undefined) return;
  // Compared with the name the team has now: it may have been renamed since this process met the key.
  if (nameKey(team) !== nameKey((await live()).teamName)) {
    throw new NotFound(
      `This API key has no team called “${team.slice(0, 80)}”; it reads and writes its own team only.`,
      "team",
    );
  }
}
