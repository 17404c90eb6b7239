import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, requireSlackCredentials } from "../src/config";

describe("configuration", () => {
  it("has the defaults of SPEC section 1", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATABASE_URL: "sqlite:./data/roster.sqlite",
      PORT: 3000,
      ORG_ADMINS: [],
      DIGEST_CRON: "0 9 * * 1",
      TIMEZONE: "UTC",
      INVITE_TTL_DAYS: 7,
      JOIN_REQUEST_TTL_HOURS: 48,
      LOG_LEVEL: "info",
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      DATABASE_URL: "mysql://root@127.0.0.1:3306/roster",
      PORT: "8080",
      ORG_ADMINS: "U123ABC, W456DEF",
      TIMEZONE: "Europe/Berlin",
      INVITE_TTL_DAYS: "14",
      SLACK_API_URL: "http://127.0.0.1:9999/api/",
    });
    expect(config.ORG_ADMINS).toEqual(["U123ABC", "W456DEF"]);
    expect(config.PORT).toBe(8080);
    expect(config.INVITE_TTL_DAYS).toBe(14);
  });

  it.each([
    ["DATABASE_URL", "postgres://x", /DATABASE_URL is invalid: expected sqlite:<path> or mysql:/],
    ["PORT", "eighty", /PORT is invalid: expected a port number/],
    ["PORT", "70000", /PORT is invalid/],
    ["TIMEZONE", "Mars/Olympus", /TIMEZONE is invalid: expected an IANA time zone/],
    ["INVITE_TTL_DAYS", "0", /INVITE_TTL_DAYS is invalid: expected a whole number of at least 1/],
    ["JOIN_REQUEST_TTL_HOURS", "-3", /JOIN_REQUEST_TTL_HOURS is invalid/],
    ["ORG_ADMINS", "alice", /ORG_ADMINS is invalid: expected a comma-separated list of Slack user IDs/],
    ["LOG_LEVEL", "loud", /LOG_LEVEL is invalid/],
    ["SLACK_BOT_TOKEN", "xoxp-user", /SLACK_BOT_TOKEN is invalid: expected a bot token starting with xoxb-/],
    ["SLACK_APP_TOKEN", "nope", /SLACK_APP_TOKEN is invalid/],
  ])("stops on a bad %s with one line naming it", (variable, value, message) => {
    const error = (() => {
      try {
        loadConfig({ [variable]: value });
      } catch (e) {
        return e as Error;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });

  it("needs Slack credentials only to start the bot", () => {
    expect(() => requireSlackCredentials(loadConfig({}))).toThrow(/SLACK_BOT_TOKEN is missing/);
    expect(() => requireSlackCredentials(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1" }))).toThrow(
      /SLACK_SIGNING_SECRET is missing/,
    );
    expect(() =>
      requireSlackCredentials(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" })),
    ).not.toThrow();
  });
});

describe("configuration messages", () => {
  it.each([
    [
      "DIGEST_CRON",
      "every monday",
      'DIGEST_CRON is invalid: expected a cron expression such as 0 9 * * 1 (Mondays at 09:00), got "every monday".',
    ],
    [
      "LOG_LEVEL",
      "loud",
      'LOG_LEVEL is invalid: expected one of fatal, error, warn, info, debug, trace or silent, got "loud".',
    ],
  ])("says plainly what %s expects", (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });
});
