import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { errorAnswer } from "../../src/http/api-errors";
import { MAX_BODY_BYTES } from "../../src/http/api-request";
import {
  accessBody as accessSchema,
  checkBody as checkSchema,
  reportQuery,
  usageBody as usageSchema,
} from "../../src/http/api-schemas";
import { testDatabases } from "../support/databases";
import { slackWorld } from "../support/slack-app";
import {
  ALICE,
  api,
  type ApiAnswer,
  apiBase,
  BOB,
  BOB_EMAIL,
  CAROL,
  type PlatformWorld,
  platformWorld,
} from "../http/api-support";
import { changedTables, workspaceRows } from "../security/workspace-rows";
import { awaitAbandonedRuns, fuzzRuns, trackUnhandledRejections } from "./fuzz-checks";

/*
 * The HTTP API with any body, any JSON and any query string: the answer is a normal 200 or an
 * error of the documented shape (400 naming the field, 404 for another team, 413, 415), never a
 * 500; a refused batch records nothing, and an accepted one records exactly what it says it did.
 */

const USERS = [
  ALICE,
  BOB,
  BOB_EMAIL,
  CAROL,
  "UNOBODY1",
  "W0GRID1",
  "ghost@example.com",
  "not a user",
  "",
  "@",
  "U1",
];
// prettier-ignore
const ODD = [
  null, true, false, 0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER, "", " ", "10", "1e3", "NaN", [], {}, [1], { a: 1 },
  "x".repeat(192), "x".repeat(5000), "2026-01-05T09:00:00Z", "2026-02-30T00:00:00Z", "yesterday", 1e15, -5,
  "\u0000", "😀", "__proto__", "<@UBOB1>",
];
const odd = fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 30 }), fc.integer(), fc.double());

/** A field's value: mostly a proper one, otherwise anything. */
const field = <T>(proper: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 30, arbitrary: proper }, { weight: 1, arbitrary: odd });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

/** Drops the keys whose value is undefined, as JSON.stringify would, keeping the rest. */
const present = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const usageEvent = fc
  .record({
    transactionId: field(fc.stringMatching(/^tx-[a-z0-9]{1,12}$/)),
    user: field(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(ALICE, BOB, BOB_EMAIL) },
        { weight: 1, arbitrary: fc.constantFrom(...USERS) },
      ),
    ),
    tokens: field(fc.nat({ max: 3000 })),
    resource: field(fc.constantFrom("gpt-4o", "claude", "m")),
    occurredAt: maybe(
      field(fc.constantFrom("2026-01-05T09:00:00Z", "2026-01-05T09:00:00+02:00", 1_700_000_000_000)),
    ),
    extra: maybe(odd),
  })
  .map(present);
const team = maybe(field(fc.constantFrom("Platform", "platform", "Other", "Nowhere")));
const usageBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ team, events: fc.array(usageEvent, { maxLength: 6 }) }).map(present) },
  { weight: 1, arbitrary: fc.record({ team, events: odd }).map(present) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const checkBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ team, user: field(fc.constantFrom(...USERS)), tokens: field(fc.nat({ max: 20_000 })) })
      .map(present),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const accessBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        team,
        user: field(fc.constantFrom(...USERS)),
        permission: field(
          fc.constantFrom("team:view", "usage:view_all", "keys:manage", "execute", "read", "nope"),
        ),
        resource: maybe(field(fc.constantFrom("model:gpt-4o", "dataset:x", "model:", "x"))),
      })
      .map(present),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);
/** Bodies that are not JSON at all, or JSON cut short. */
const notJson = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
  fc.constantFrom("", " ", "{", '{"events": [', "\u0000", "\ufeff{}", "[]]", '{"events": [] } trailing'),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    "2026-01-05",
    "2026-02-30",
    "9999-12-31",
    "0000-01-01",
    "1970-01-01",
    "user",
    "resource",
    "day",
    "week",
  ),
  fc.constantFrom(...USERS),
  fc.string({ maxLength: 20 }),
);
const query = fc.oneof(
  fc
    .dictionary(fc.constantFrom("from", "to", "by", "user", "team", "x", "__proto__", "from"), queryValue, {
      maxKeys: 4,
    })
    .map((q) => new URLSearchParams(q).toString()),
  // Raw, not necessarily well-formed: stray %, repeated keys, no value.
  fc
    .array(
      fc.constantFrom(
        "from=",
        "to=2026-01-01",
        "by",
        "%",
        "%zz",
        "&",
        "=",
        "user=%40",
        "from=2026-01-01",
        "by=day",
      ),
      { maxLength: 5 },
    )
    .map((p) => p.join("&")),
);

/** The value at a field path like `events[3].tokens`, one step short of the end (its parent). */
function parentOf(value: unknown, field: string): unknown {
  const steps = field.match(/[^.[\]]+/g) ?? [];
  let at: unknown = value;
  for (const step of steps.slice(0, -1)) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

describe("API bodies and queries, read on their own", () => {
  const anyJson = (arb: fc.Arbitrary<unknown>) => fc.oneof(arb, fc.jsonValue(), fc.anything());
  // A query string always reads as an object of strings (queryOf).
  const anyQuery = fc.oneof(
    fc.dictionary(fc.constantFrom("from", "to", "by", "user", "team", "x"), queryValue),
    fc.dictionary(fc.string(), fc.string()),
  );
  const schemas = [
    ["POST /usage", usageSchema, anyJson(usageBody)],
    ["POST /usage/check", checkSchema, anyJson(checkBody)],
    ["POST /access/check", accessSchema, anyJson(accessBody)],
    ["GET /usage", reportQuery, anyQuery],
  ] as const;

  it.each(schemas)(
    "%s: any value is read, or refused with a 400 naming a field that is really there",
    (_name, schema, arb) => {
      fc.assert(
        fc.property(arb, (value: unknown) => {
          const parsed = schema.safeParse(value);
          if (parsed.success) return;
          const { status, body } = errorAnswer(parsed.error, "request-id");
          expect(status).toBe(400);
          expect(body.error.code).toBe("invalid_input");
          expect(body.error.message).toMatch(/^[A-Za-z].{5,250}\.$/s);
          const field = body.error.field;
          if (field !== undefined) {
            // The field is in the body, or is missing from an object that is.
            const parent = parentOf(value, field);
            expect(
              typeof parent === "object" && parent !== null,
              `${field} of ${JSON.stringify(value)}`,
            ).toBe(true);
          }
        }),
        { numRuns: 3000 },
      );
    },
  );
});

describe.each(testDatabases())("HTTP API with any input on $name", (kind) => {
  const rejections = trackUnhandledRejections();
  const settled = awaitAbandonedRuns();
  let db: Database;
  let t: PlatformWorld;

  beforeAll(async () => {
    db = await kind.open();
    t = await platformWorld(await slackWorld(db));
    // A limit, so that some events are refused for it, and a first call with each key (which may
    // note when the key was last used).
    expect((await t.world.command(ALICE, "limit Platform <@UBOB1> total=20000")).json?.text).toMatch(
      /limit/i,
    );
    for (const key of [t.key, t.otherKey])
      expect((await api(t.world, "GET", "/api/v1/usage", { key })).status).toBe(200);
  });
  afterAll(async () => {
    await t.world.close();
    await db.close();
  });

  const rows = () => workspaceRows(db, t.world.workspaceId);
  async function recorded(): Promise<{ events: number; tokens: number }> {
    const [row] = (await db.dataSource.query(
      "SELECT COUNT(*) AS events, COALESCE(SUM(tokens), 0) AS tokens FROM usage_events WHERE workspace_id = ?",
      [t.world.workspaceId],
    )) as { events: number | string; tokens: number | string }[];
    return { events: Number(row.events), tokens: Number(row.tokens) };
  }

  /** Why `answer` is not a 200 or an error of the documented shape, or undefined when it is fine. */
  function problem(answer: ApiAnswer): string | undefined {
    if (answer.status === 200) return answer.json.error ? "a 200 with an error" : undefined;
    if (![400, 404, 413, 415].includes(answer.status)) return `status ${answer.status}`;
    const { error, ...rest } = answer.json;
    if (!error || Object.keys(rest).length) return "not {error: …}";
    const { code, message, field, ...more } = error;
    if (Object.keys(more).length) return `extra keys in error: ${Object.keys(more).join(", ")}`;
    if (!/^[a-z_]+$/.test(code)) return `code ${code}`;
    if (!/^[A-Za-z“"].*[.]$/s.test(message) || message.length > 300) return `message “${message}”`;
    if (/Something went wrong|Error:|\bat .+:\d+/.test(message)) return `message “${message}”`;
    if (field !== undefined && (typeof field !== "string" || field === "")) return `field ${String(field)}`;
    if (answer.status === 404 && field !== "team") return "a 404 that isn't about the team";
    return undefined;
  }

  it("POST /api/v1/usage: answers in order and records exactly what it accepted, or refuses and records nothing", async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        usageBody,
        settled(async (body) => {
          const before = await rows();
          const total = await recorded();
          const answer = await api(t.world, "POST", "/api/v1/usage", { key: t.key, body });
          const context = `${JSON.stringify(body).slice(0, 300)} → ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`;
          const wrong = problem(answer);
          if (wrong) throw new Error(`${wrong}: ${context}`);
          if (answer.status !== 200) {
            seen.refused += 1;
            const changed = changedTables(before, await rows());
            if (changed.length) throw new Error(`refused, but changed ${changed.join(", ")}: ${context}`);
            return;
          }
          const events = (body as { events: { transactionId: string; tokens: number }[] }).events;
          const results = answer.json.results ?? [];
          if (
            results.map((r) => r.transactionId).join("\n") !== events.map((e) => e.transactionId).join("\n")
          ) {
            throw new Error(`results not in the order sent: ${context}`);
          }
          const accepted = events.filter((_, i) => results[i].status === "accepted");
          seen.accepted += accepted.length;
          const after = await recorded();
          const expected = {
            events: total.events + accepted.length,
            tokens: total.tokens + accepted.reduce((sum, e) => sum + e.tokens, 0),
          };
          if (after.events !== expected.events || after.tokens !== expected.tokens) {
            throw new Error(
              `recorded ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}: ${context}`,
            );
          }
        }),
      ),
      fuzzRuns(300, 3),
    );
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.accepted).toBeGreaterThan(10);
  });

  it("POST /usage/check and /access/check: an answer or a documented error, and never a recorded change", async () => {
    const before = await rows();
    const endpoints = fc.oneof(
      checkBody.map((body) => ["/api/v1/usage/check", body] as const),
      accessBody.map((body) => ["/api/v1/access/check", body] as const),
    );
    await fc.assert(
      fc.asyncProperty(endpoints, fc.boolean(), async ([path, body], otherKey) => {
        const answer = await api(t.world, "POST", path, { key: otherKey ? t.otherKey : t.key, body });
        const wrong = problem(answer);
        if (wrong)
          throw new Error(
            `${wrong}: ${path} ${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.json)}`,
          );
        if (answer.status === 200 && typeof answer.json.allowed !== "boolean") {
          throw new Error(`no allowed: ${path} ${JSON.stringify(answer.json)}`);
        }
      }),
      fuzzRuns(300, 2),
    );
    expect(changedTables(before, await rows())).toEqual([]);
  });

  it("any body that isn't JSON, under any content type: 400, 413 or 415, and nothing recorded", async () => {
    const before = await rows();
    const contentType = fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "",
      "APPLICATION/JSON",
      "application/json;",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/v1/usage", "/api/v1/usage/check", "/api/v1/access/check"),
        notJson,
        contentType,
        async (path, raw, type) => {
          const answer = await api(t.world, "POST", path, {
            key: t.key,
            raw,
            headers: { "content-type": type },
          });
          const wrong = problem(answer);
          if (wrong)
            throw new Error(`${wrong}: ${path} ${JSON.stringify(raw)} as ${type} → ${answer.status}`);
        },
      ),
      fuzzRuns(400, 1.5),
    );
    expect(changedTables(before, await rows())).toEqual([]);
  });

  it("GET /api/v1/usage with any query string: a report or a documented error", async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const answer = await api(t.world, "GET", `/api/v1/usage?${q}`, { key: t.key });
        const wrong = problem(answer);
        if (wrong) throw new Error(`${wrong}: ?${q} → ${answer.status} ${JSON.stringify(answer.json)}`);
        if (answer.status === 200 && !Array.isArray(answer.json.rows)) throw new Error(`no rows: ?${q}`);
      }),
      fuzzRuns(400, 1.5),
    );
  });

  it("a body over 1 MiB is refused with 413 by its size alone, before it is parsed", async () => {
    // Invalid JSON either way: parsed, it would be a 400; refused by size, a 413.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -64, max: 64 }), fc.boolean(), async (offset, declared) => {
        const size = MAX_BODY_BYTES + offset;
        const answer = await sendRaw("/api/v1/usage", Buffer.alloc(size, "{"), declared);
        const expected = size > MAX_BODY_BYTES ? 413 : 400;
        if (answer.status !== expected)
          throw new Error(`${size} bytes (declared ${declared}): ${answer.status}`);
      }),
      { numRuns: 12 },
    );
  });

  it("a stream of 64 MiB of garbage gets its 413 early, and the app's memory doesn't grow with it", async () => {
    global.gc?.();
    const start = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - (start.heapUsed + start.arrayBuffers));
    }, 5);
    try {
      const answer = await streamGarbage("/api/v1/usage", 64 * 1024 * 1024);
      if (answer.status !== 0) {
        expect(answer.status).toBe(413);
        expect(answer.json.error?.code).toBe("payload_too_large");
      }
      // Refused unread: far less than the body was sent (the app stops reading, and then hangs up,
      // soon after 1 MiB).
      expect(answer.sentBeforeAnswer).toBeLessThan(16 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
    // Had the app buffered what it was sent, memory would have grown by tens of MiB.
    expect(peak).toBeLessThan(24 * 1024 * 1024);
    for (const key of [t.key, t.otherKey])
      expect((await api(t.world, "GET", "/api/v1/usage", { key })).status).toBe(200);
  });

  /** POSTs `body` as JSON, with or without a Content-Length (chunked). */
  function sendRaw(path: string, body: Buffer, declareLength: boolean): Promise<{ status: number }> {
    const url = new URL(`${apiBase(t.world)}${path}`);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${t.key}`,
        "content-type": "application/json",
      };
      if (declareLength) headers["content-length"] = body.length;
      const req = request({
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers,
        agent: false,
      });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /**
   * Streams `total` bytes of garbage (chunked, no Content-Length) as fast as the app takes them,
   * until it answers; returns the answer and how much had been sent by then.
   */
  function streamGarbage(
    path: string,
    total: number,
  ): Promise<{ status: number; json: ApiAnswer["json"]; sentBeforeAnswer: number }> {
    const url = new URL(`${apiBase(t.world)}${path}`);
    const chunk = Buffer.alloc(64 * 1024, "x");
    return new Promise((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request({
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
        agent: false,
      });
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!answered) req.end();
      };
      req.on("response", (res) => {
        answered = true;
        const sentBeforeAnswer = sent;
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(parts).toString("utf8")) as ApiAnswer["json"],
            sentBeforeAnswer,
          });
        });
      });
      // The app hangs up on a client that keeps sending long after its 413. Sending as fast as
      // it can, this client may lose that race and see the hang-up first (status 0).
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (answered) return;
        answered = true;
        if (error.code === "EPIPE" || error.code === "ECONNRESET") {
          resolve({ status: 0, json: {}, sentBeforeAnswer: sent });
        } else reject(error);
      });
      pump();
    });
  }

  it("saw no unhandled rejection", () => {
    expect(rejections()).toEqual([]);
  });
});
