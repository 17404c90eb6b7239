import { existsSync } from "node:fs";
import { validate } from "node-cron";
import { z } from "zod";

const slackUserId = /^[UW][A-Z0-9]{2,31}$/;
const positiveInt = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((v) => /^[1-9][0-9]{0,5}$/.test(v), "a whole number of at least 1")
    .transform(Number);

const schema = z.object({
  DATABASE_URL: z
    .string()
    .default("sqlite:./data/roster.sqlite")
    .refine(
      (v) => /^sqlite:.+/.test(v) || /^mysql:\/\/.+/.test(v),
      "sqlite:<path> or mysql://user:pass@host:port/db",
    ),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, "a bot token starting with xoxb-")
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(1, "the app's signing secret").optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, "an app-level token starting with xapp-")
    .optional(),
  SLACK_API_URL: z.url("a URL such as https://slack.com/api/").optional(),
  PORT: z
    .string()
    .default("3000")
    .refine((v) => /^[0-9]{1,5}$/.test(v) && Number(v) <= 65535, "a port number from 0 to 65535")
    .transform(Number),
  ORG_ADMINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine(
      (ids) => ids.every((id) => slackUserId.test(id)),
      "a comma-separated list of Slack user IDs like U0123ABCD",
    ),
  DIGEST_CRON: z
    .string()
    .default("0 9 * * 1")
    .refine((v) => validate(v), "a cron expression such as 0 9 * * 1 (Mondays at 09:00)"),
  TIMEZONE: z.string().default("UTC").refine(isTimeZone, "an IANA time zone such as UTC or Europe/Berlin"),
  INVITE_TTL_DAYS: positiveInt(7),
  JOIN_REQUEST_TTL_HOURS: positiveInt(48),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "one of fatal, error, warn, info, debug, trace or silent",
    })
    .default("info"),
});

export type Config = z.infer<typeof schema>;

/** A configuration value that stops the process; its message is the one line the operator sees. */
export class ConfigError extends Error {}

/**
 * Reads the configuration from `env` (process.env by default, after an optional `.env` file).
 * Throws a ConfigError naming the first bad variable and what it should be.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): Config {
  // Empty strings are how shells and .env files say "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue.path[0]);
  throw new ConfigError(
    `${variable} is invalid: expected ${issue.message}, got ${JSON.stringify(env[variable])}.`,
  );
}

/** What `npm start` needs on top of the base configuration. */
export function requireSlackCredentials(config: Config): void {
  if (!config.SLACK_BOT_TOKEN) {
    throw new ConfigError(
      "SLACK_BOT_TOKEN is missing: expected the bot token (xoxb-…) from your Slack app's OAuth page.",
    );
  }
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      "SLACK_SIGNING_SECRET is missing: expected the signing secret from your Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode).",
    );
  }
}

function readEnvironment(): NodeJS.ProcessEnv {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return process.env;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
