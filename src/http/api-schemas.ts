import { z } from "zod";

/**
 * The shapes of the API's bodies and queries (SPEC section 5). Every message names its field and
 * says what would be right; the path of a failure (`events[3].tokens`) becomes the error's field.
 */

export const MAX_EVENTS = 1000;
export const MAX_TOKENS = 1_000_000_000_000;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const text = (field: string, what: string) => {
  const error = `${field} is text of 1 to 191 characters${what}.`;
  return z.string({ error }).min(1, { error }).max(191, { error });
};

/** A Slack user ID (U… or W…) or an email address of someone in the workspace. */
const user = (() => {
  const error = "user is a Slack user ID (like U0123ABCD) or an email address.";
  return z
    .string({ error })
    .max(254, { error })
    .refine((value) => SLACK_USER_ID.test(value) || EMAIL.test(value), { error });
})();

const tokens = (() => {
  const error = `tokens is a whole number from 0 to ${MAX_TOKENS.toLocaleString("en-US")}.`;
  return z.number({ error }).int({ error }).min(0, { error }).max(MAX_TOKENS, { error });
})();

/** ISO-8601 with a zone (`2026-01-05T09:00:00Z`) or epoch milliseconds; becomes epoch ms. */
const occurredAt = (() => {
  const error =
    "occurredAt is an ISO-8601 time with its zone (like 2026-01-05T09:00:00Z) or epoch milliseconds.";
  return z.union(
    [
      z.iso.datetime({ offset: true, error }).transform((iso) => Date.parse(iso)),
      z.number({ error }).int({ error }).min(0, { error }).max(Number.MAX_SAFE_INTEGER, { error }),
    ],
    { error },
  );
})();

/** Optional everywhere: when given, it must be the key's own team (anything else is not found). */
const team = z.string({ error: "team is the name of the key's own team." }).max(200).optional();

export const usageEvent = z.object(
  {
    transactionId: text("transactionId", ", unique per team (a retry reuses it)"),
    user,
    tokens,
    resource: text("resource", ", like a model name"),
    occurredAt: occurredAt.optional(),
  },
  { error: "Each event is an object with transactionId, user, tokens and resource." },
);

export const usageBody = z.object(
  {
    team,
    events: z
      .array(usageEvent, {
        error: `events is a list of 1 to ${MAX_EVENTS.toLocaleString("en-US")} usage events.`,
      })
      .min(1, { error: "events is empty; send 1 to 1,000 usage events." })
      .max(MAX_EVENTS, {
        error: (issue) =>
          `events has ${Array.isArray(issue.input) ? issue.input.length.toLocaleString("en-US") : "too many"} items; send at most ${MAX_EVENTS.toLocaleString("en-US")} per request.`,
      }),
  },
  { error: 'The body is a JSON object like {"events": [...]}.' },
);

/**
 * The usage body as `usageBody` parses it. Nearly every body is well-formed, and for those zod's
 * per-field checks cost about a millisecond per 500 events: a plainly valid body (every event's
 * fields of the right type and size, `occurredAt` absent or epoch ms) is taken apart here, into
 * exactly what zod would return; anything else goes through zod, which names the field that is
 * wrong. So zod stays the one judge of what is wrong, and this only ever accepts what it accepts.
 */
export function parseUsageBody(value: unknown): UsageBody {
  return plainUsageBody(value) ?? usageBody.parse(value);
}

function plainUsageBody(value: unknown): UsageBody | undefined {
  if (!isRecord(value)) return undefined;
  const { team, events } = value;
  if (team !== undefined && (typeof team !== "string" || team.length > 200)) return undefined;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS) return undefined;
  const parsed: UsageBody["events"] = new Array<UsageBody["events"][number]>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event: unknown = events[i];
    if (!isRecord(event)) return undefined;
    const { transactionId, user, tokens, resource, occurredAt } = event;
    if (!isText(transactionId) || !isText(resource) || !isUser(user) || !isWhole(tokens, MAX_TOKENS))
      return undefined;
    if (occurredAt === undefined) parsed[i] = { transactionId, user, tokens, resource };
    else if (isWhole(occurredAt, Number.MAX_SAFE_INTEGER))
      parsed[i] = { transactionId, user, tokens, resource, occurredAt };
    else return undefined;
  }
  return team === undefined ? { events: parsed } : { team, events: parsed };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= 191;
const isUser = (value: unknown): value is string =>
  typeof value === "string" && value.length <= 254 && (SLACK_USER_ID.test(value) || EMAIL.test(value));
const isWhole = (value: unknown, max: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= max;

export const checkBody = z.object(
  { team, user, tokens },
  { error: 'The body is a JSON object like {"user": "U0123ABCD", "tokens": 1000}.' },
);

export const accessBody = z.object(
  {
    team,
    user,
    permission: (() => {
      const error = "permission is a permission name, like usage:view_all or (with a resource) execute.";
      return z.string({ error }).min(1, { error }).max(64, { error });
    })(),
    resource: (() => {
      const error = "resource is type:id, like model:gpt-4o.";
      return z.string({ error }).min(3, { error }).max(255, { error }).optional();
    })(),
  },
  {
    error:
      'The body is a JSON object like {"user": "U0123ABCD", "permission": "execute", "resource": "model:gpt-4o"}.',
  },
);

const day = (field: string) => {
  const error = `${field} is a date written YYYY-MM-DD, like 2026-01-05.`;
  return z
    .string({ error })
    .regex(DAY, { error })
    .refine(
      (value) => {
        const date = new Date(`${value}T00:00:00Z`);
        return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
      },
      { error },
    )
    .optional();
};

export const reportQuery = z.object({
  team,
  from: day("from"),
  to: day("to"),
  by: z.enum(["user", "resource", "day"], { error: "by is one of user, resource or day." }).optional(),
  user: user.optional(),
});

export type UsageBody = z.infer<typeof usageBody>;
export type CheckBody = z.infer<typeof checkBody>;
export type AccessBody = z.infer<typeof accessBody>;
export type ReportQuery = z.infer<typeof reportQuery>;

export function isEmail(value: string): boolean {
  return !SLACK_USER_ID.test(value);
}
