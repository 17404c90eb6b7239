import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { openAnother, testDatabases } from "../support/databases";
import { slackWorld } from "../support/slack-app";
import {
  ALICE,
  api,
  BOB,
  BOB_EMAIL,
  event,
  type PlatformWorld,
  platformWorld,
  postSlowly,
  recordedTotal,
} from "./api-support";

describe.each(testDatabases())("HTTP API: every error status on $name", (kind) => {
  let db: Database;
  let t: PlatformWorld;

  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    t = await platformWorld(await slackWorld(db));
  });
  afterEach(async () => {
    await t.world.close();
  });

  const total = () => recordedTotal(t.world, t.as(ALICE), "Platform");
  const post = (body: unknown, path = "/api/v1/usage") => api(t.world, "POST", path, { key: t.key, body });

  it("400 names the bad field, even deep in a batch, and records nothing of that batch", async () => {
    const batch = (change: (events: Record<string, unknown>[]) => void) => {
      const events: Record<string, unknown>[] = Array.from({ length: 5 }, () => ({ ...event(BOB, 10) }));
      change(events);
      return { events };
    };
    const cases: [unknown, string | undefined, RegExp][] = [
      [batch((e) => (e[3].tokens = -1)), "events[3].tokens", /tokens is a whole number from 0/],
      [batch((e) => (e[4].tokens = 2.5)), "events[4].tokens", /whole number/],
      [batch((e) => (e[2].user = "not a user")), "events[2].user", /Slack user ID .* or an email address/],
      [
        batch((e) => delete e[0].transactionId),
        "events[0].transactionId",
        /transactionId is text of 1 to 191/,
      ],
      [batch((e) => (e[1].occurredAt = "yesterday")), "events[1].occurredAt", /ISO-8601/],
      [batch((e) => (e[1].occurredAt = Date.now() + 86_400_000)), "events[1].occurredAt", /in the future/],
      [batch((e) => (e[4].resource = "")), "events[4].resource", /resource is text/],
      [batch((e) => (e[2] = "a string" as never)), "events[2]", /Each event is an object/],
      [
        { events: Array.from({ length: 1001 }, () => event(BOB, 1)) },
        "events",
        /events has 1,001 items; send at most 1,000/,
      ],
      [{ events: [] }, "events", /events is empty/],
      [{}, "events", /events is a list/],
      [[event(BOB, 1)], undefined, /The body is a JSON object/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(field)).toBe(400);
      expect(answer.json.error?.code).toBe("invalid_input");
      expect(answer.json.error?.field).toBe(field);
      expect(answer.json.error?.message).toMatch(message);
    }
    expect(await total()).toBe(0);

    const notJson = await api(t.world, "POST", "/api/v1/usage", { key: t.key, raw: '{"events": [' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toEqual({ code: "invalid_json", message: "The body is not valid JSON." });

    const check = await post({ user: BOB, tokens: "10" }, "/api/v1/usage/check");
    expect(check.status).toBe(400);
    expect(check.json.error?.field).toBe("tokens");
    for (const [query, field] of [
      ["by=week", "by"],
      ["from=2026-02-30", "from"],
      ["to=tomorrow", "to"],
      ["from=2026-03-02&to=2026-03-01", "from"],
      ["user=%40", "user"],
    ]) {
      const answer = await api(t.world, "GET", `/api/v1/usage?${query}`, { key: t.key });
      expect(answer.status, query).toBe(400);
      expect(answer.json.error?.field, query).toBe(field);
    }
  });

  it("401 for a missing, malformed, unknown or revoked key, with WWW-Authenticate", async () => {
    const body = { events: [event(BOB, 10)] };
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer garbage" },
      { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      { authorization: `Bearer rk_${"A".repeat(32)}` },
    ];
    for (const headers of attempts) {
      const answer = await api(t.world, "POST", "/api/v1/usage", { body, headers });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(answer.json.error?.code).toBe("unauthorized");
    }
    expect((await api(t.world, "GET", "/api/v1/usage", { key: `${t.key}x` })).status).toBe(401);

    // A revoked key stops at once: the very next request is refused.
    expect((await post({ events: [event(BOB, 10)] })).status).toBe(200);
    expect((await t.world.command(ALICE, "key revoke Platform platform-ci")).json?.text).toMatch(/^Revoked/);
    const revoked = await post({ events: [event(BOB, 10)] });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error?.message).toMatch(/unknown or has been revoked/);
    expect(await total()).toBe(10);
  });

  it("404 for another team's data: a key reads and writes its own team only", async () => {
    const other = await api(t.world, "GET", "/api/v1/usage?team=Other", { key: t.key });
    expect(other.status).toBe(404);
    expect(other.json.error).toMatchObject({ code: "not_found", field: "team" });
    const nowhere = await api(t.world, "GET", "/api/v1/usage?team=Nowhere", { key: t.key });
    expect(nowhere.json.error?.message.replace("Nowhere", "Other")).toBe(other.json.error?.message);

    const write = await post({ team: "Other", events: [event(BOB, 10)] });
    expect(write.status).toBe(404);
    const access = await post({ team: "Other", user: BOB, permission: "team:view" }, "/api/v1/access/check");
    expect(access.status).toBe(404);
    expect((await post({ team: "Other", user: BOB, tokens: 1 }, "/api/v1/usage/check")).status).toBe(404);
    expect(await total()).toBe(0);

    // Naming its own team, in any case, is fine.
    expect((await post({ team: "platform", events: [event(BOB, 10)] })).status).toBe(200);
    expect((await api(t.world, "GET", "/api/v1/usage?team=PLATFORM", { key: t.key })).json.total).toBe(10);
  });

  it("405 for a method an endpoint doesn't take, 415 for a body that isn't JSON", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/v1/usage", "GET, POST"],
      ["DELETE", "/api/v1/usage", "GET, POST"],
      ["GET", "/api/v1/usage/check", "POST"],
      ["PATCH", "/api/v1/access/check", "POST"],
    ]) {
      const answer = await api(t.world, method, path, { key: t.key });
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers.get("allow")).toBe(allow);
      expect(answer.json.error?.code).toBe("method_not_allowed");
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"]) {
      const answer = await api(t.world, "POST", "/api/v1/usage", {
        key: t.key,
        raw: JSON.stringify({ events: [event(BOB, 10)] }),
        headers: { "content-type": type },
      });
      expect(answer.status, type).toBe(415);
      expect(answer.json.error?.message).toMatch(/Content-Type: application\/json/);
    }
    const charset = await api(t.world, "POST", "/api/v1/usage", {
      key: t.key,
      raw: JSON.stringify({ events: [event(BOB, 10)] }),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(charset.status).toBe(200);
    expect(await total()).toBe(10);
  });

  it("413 for a 2 MiB body, answered before the client has sent it all and without reading it", async () => {
    const big = 2 * 1024 * 1024;
    const declared = await postSlowly(t.world, "/api/v1/usage", {
      key: t.key,
      total: big,
      first: 64 * 1024,
      declareLength: true,
    });
    expect(declared.status).toBe(413);
    expect(declared.json.error?.code).toBe("payload_too_large");
    expect(declared.answeredBeforeAllSent).toBe(true);

    // Without a Content-Length (chunked), the count of streamed bytes decides.
    const streamed = await postSlowly(t.world, "/api/v1/usage", {
      key: t.key,
      total: big,
      first: 1024 * 1024 + 64 * 1024,
      declareLength: false,
    });
    expect(streamed.status).toBe(413);
    expect(streamed.answeredBeforeAllSent).toBe(true);

    // Just under the limit is read and parsed (and found to have no events).
    const fits = await postSlowly(t.world, "/api/v1/usage", {
      key: t.key,
      total: 1024 * 1024,
      first: 1024,
      declareLength: true,
      waitMs: 50,
    });
    expect(fits.status).toBe(400);
    expect(fits.json.error?.message).toMatch(/events is empty/);
    expect((await post({ events: [event(BOB, 10)] })).status).toBe(200);
  });

  it("503 when Slack can't say who an email is, 500 with a request id when something breaks", async () => {
    t.world.slack.failNext("users.lookupByEmail", { status: 500 });
    const unavailable = await post({ events: [event(BOB, 10), event(BOB_EMAIL, 10)] });
    expect(unavailable.status).toBe(503);
    expect(unavailable.json.error?.code).toBe("unavailable");
    expect(unavailable.headers.get("retry-after")).toBe("30");
    expect(await total()).toBe(0);

    // A copy of the bot whose database connection has gone away in a way nobody expected.
    const broken = await openAnother(db);
    const copy = await slackWorld(broken, { sameWorkspaceAs: t.world });
    try {
      await broken.dataSource.destroy();
      const failed = await api(copy, "GET", "/api/v1/usage", { key: t.key });
      const requestId = failed.headers.get("x-request-id") ?? "";
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(failed.status).toBe(500);
      expect(failed.json.error).toEqual({
        code: "internal_error",
        message: `Something went wrong on our side; try again, and quote request ${requestId} if it persists.`,
      });
      const logged = copy.logs.map(
        (line) => JSON.parse(line) as { requestId?: string; level: number; msg: string },
      );
      expect(logged.find((l) => l.requestId === requestId && l.level >= 50)?.msg).toBe("API request failed");
    } finally {
      await copy.close();
    }
  });
});
