import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { fieldPath } from "../../src/http/api-errors";
import { parseUsageBody, usageBody } from "../../src/http/api-schemas";

/** What zod says of a body: its parse, or the first issue's field and message. */
function judge(parse: (value: unknown) => unknown, value: unknown): unknown {
  try {
    return { parsed: parse(value) };
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const [issue] = [...error.issues].sort((a, b) => a.path.length - b.path.length);
    return { field: fieldPath(issue.path), message: issue.message };
  }
}

// Values near every boundary the schema draws, and a few of the wrong type.
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom("", "x".repeat(191), "x".repeat(192)),
  fc.constantFrom(null, 7, true, [], {}),
);
const user = fc.oneof(
  fc.constantFrom("U0123ABCD", "W0123ABCD", "alice@example.com", "u0123abcd", "U1", "not an email", ""),
  fc.constantFrom(
    `U${"A".repeat(31)}`,
    `U${"A".repeat(32)}`,
    `${"a".repeat(64)}@x.io`,
    `${"a".repeat(65)}@x.io`,
  ),
  fc.constantFrom(null, 12),
);
const whole = fc.oneof(
  fc.integer({ min: 0, max: 5000 }),
  fc.constantFrom(-1, 0.5, 1_000_000_000_000, 1_000_000_000_001, Number.MAX_SAFE_INTEGER, 2 ** 53),
  fc.constantFrom("10", null),
);
const occurredAt = fc.oneof(
  fc.constant(undefined),
  whole,
  fc.constantFrom("2026-01-05T09:00:00Z", "2026-01-05T09:00:00+05:30", "2026-01-05", "yesterday"),
);
const event = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ transactionId: text, user, tokens: whole, resource: text, occurredAt }),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { transactionId: text, user, tokens: whole, resource: text, extra: fc.string() },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, "event", 3, []) },
);
const body = fc.oneof(
  { weight: 8, arbitrary: fc.record({ events: fc.array(event, { maxLength: 6 }) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        team: fc.oneof(fc.string({ maxLength: 8 }), fc.constant("t".repeat(201)), fc.constant(5)),
        events: fc.array(event, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, [], "events", 1) },
);
const valid = fc.record({
  events: fc.array(
    fc.record({
      transactionId: fc.string({ minLength: 1, maxLength: 40 }),
      user: fc.constantFrom("U0123ABCD", "W9ZZZ", "bob@example.com"),
      tokens: fc.integer({ min: 0, max: 1_000_000_000_000 }),
      resource: fc.string({ minLength: 1, maxLength: 40 }),
      occurredAt: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 20 },
  ),
});

describe("the usage body's fast path", () => {
  it("parses exactly as the zod schema does, and refuses with zod's own field and message", () => {
    fc.assert(
      fc.property(body, (value) => {
        expect(judge(parseUsageBody, value)).toEqual(judge((v) => usageBody.parse(v), value));
      }),
      { numRuns: 3000 },
    );
  });

  it("takes well-formed bodies apart itself, keeping only the fields zod keeps", () => {
    fc.assert(
      fc.property(valid, (value) => {
        expect(parseUsageBody(value)).toEqual(usageBody.parse(value));
      }),
      { numRuns: 500 },
    );
    const parsed = parseUsageBody({
      team: "Platform",
      events: [{ transactionId: "a", user: "U0123ABCD", tokens: 5, resource: "gpt-4o", note: "dropped" }],
    });
    expect(parsed).toEqual({
      team: "Platform",
      events: [{ transactionId: "a", user: "U0123ABCD", tokens: 5, resource: "gpt-4o" }],
    });
  });

  it("still names the field of the first bad event in a batch of 1,000", () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      transactionId: `t-${i}`,
      user: "U0123ABCD",
      tokens: i === 737 ? 1.5 : 1,
      resource: "gpt-4o",
    }));
    expect(judge(parseUsageBody, { events })).toMatchObject({ field: "events[737].tokens" });
  });
});
