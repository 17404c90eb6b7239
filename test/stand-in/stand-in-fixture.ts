import { ErrorCode, LogLevel, WebClient, type Logger } from "@slack/web-api";
import { expect } from "vitest";
import { SlackStandIn, STAND_IN_BOT_USER_ID } from "../../src/stand-in/slack-stand-in";

export const TOKEN = "xoxb-stand-in-test";

/** WebClient logs Slack's response_metadata messages; the tests assert them instead. */
export const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** A real WebClient pointed at the stand-in, with no retries unless a test asks for them. */
export function clientFor(
  slack: SlackStandIn,
  options: ConstructorParameters<typeof WebClient>[1] = {},
): WebClient {
  return new WebClient(TOKEN, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logger: silent,
    ...options,
  });
}

/** A platform error as WebClient throws it: { code: slack_webapi_platform_error, data: { error } }. */
export function slackError(error: string) {
  return { code: ErrorCode.PlatformError, data: expect.objectContaining({ ok: false, error }) as unknown };
}

/** A started stand-in with Alice (admin, in #team-platform with the bot), Bob, and a deactivated user. */
export async function startStandIn(): Promise<SlackStandIn> {
  const slack = new SlackStandIn();
  await slack.start();
  slack.addUser({
    id: "U0ALICE",
    name: "alice",
    realName: "Alice Liddell",
    email: "alice@example.com",
    isAdmin: true,
  });
  slack.addUser({ id: "U0BOB", name: "bob", email: "bob@example.com" });
  slack.addUser({ id: "U0GONE", name: "gone", deleted: true });
  slack.addChannel({ id: "C0TEAM", name: "team-platform", members: [STAND_IN_BOT_USER_ID, "U0ALICE"] });
  return slack;
}
