import {
  ErrorCode,
  LogLevel,
  WebClient,
  type Logger,
  type WebAPIHTTPError,
  type WebAPIRateLimitedError,
} from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderUsageChart } from "../../src/charts/usage-chart";
import { shareFile, type FileShare } from "../../src/slack/file-share";
import { SlackStandIn } from "../../src/stand-in/slack-stand-in";

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

let slack: SlackStandIn;
let client: WebClient;
let png: Buffer;

beforeEach(async () => {
  slack = new SlackStandIn();
  await slack.start();
  slack.addChannel({ id: "C0PLATFORM", name: "platform" });
  slack.addChannel({ id: "C0OLD", name: "old-team", isArchived: true });
  // As the app runs in tests: no retries of its own, so a failure reaches the caller at once.
  client = new WebClient("xoxb-test", {
    slackApiUrl: slack.apiUrl,
    logger: silent,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  png ??= await renderUsageChart({
    title: "Platform · week of 16 March",
    days: ["Mon 16", "Tue 17", "Wed 18"],
    series: [{ name: "Alice", values: [1_000, 25_000, 7_500] }],
  });
});

afterEach(async () => {
  await slack.stop();
});

function chart(overrides: Partial<FileShare> = {}): FileShare {
  return {
    channel: "C0PLATFORM",
    bytes: png,
    filename: "platform-usage-2026-03-16.png",
    title: "Platform · tokens per day",
    altText: "Bar chart of Platform's tokens per day, by member",
    initialComment: "Usage this week",
    ...overrides,
  };
}

describe("shareFile", () => {
  it("uploads the chart and shares it in the channel as a message that carries the file", async () => {
    const fileId = await shareFile(client, chart());

    const file = slack.files.get(fileId);
    expect(file).toMatchObject({
      filename: "platform-usage-2026-03-16.png",
      title: "Platform · tokens per day",
      altText: "Bar chart of Platform's tokens per day, by member",
      length: png.length,
      channelId: "C0PLATFORM",
      completed: true,
    });
    expect(file?.bytes?.equals(png)).toBe(true);
    expect(slack.messagesTo("C0PLATFORM")).toEqual([
      expect.objectContaining({ text: "Usage this week", files: [fileId] }),
    ]);
    expect(slack.calls.map((c) => c.method)).toEqual([
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
    ]);
    expect(slack.callsTo("files.completeUploadExternal")[0].args).toMatchObject({
      channel_id: "C0PLATFORM",
      files: [{ id: fileId, title: "Platform · tokens per day" }],
    });
  });

  it("shares into a thread when given one", async () => {
    const fileId = await shareFile(
      client,
      chart({ threadTs: "1700000000.000100", initialComment: undefined }),
    );
    expect(slack.files.get(fileId)).toMatchObject({ threadTs: "1700000000.000100" });
    expect(slack.messagesTo("C0PLATFORM")).toEqual([
      expect.objectContaining({ thread_ts: "1700000000.000100", files: [fileId] }),
    ]);
  });

  it("throws Slack's refusal as the WebClient error it is, and shares nothing", async () => {
    await expect(shareFile(client, chart({ channel: "C0OLD" }))).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: "is_archived" },
    });
    expect(slack.messagesTo("C0OLD")).toEqual([]);
  });

  it("leaves a 429 or 5xx to the caller, with Retry-After, and shares nothing", async () => {
    slack.failNext("files.completeUploadExternal", { status: 429, retryAfter: 7 });
    const limited = (await shareFile(client, chart()).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBe(7);

    slack.failNext("files.getUploadURLExternal", { status: 503 });
    const down = (await shareFile(client, chart()).catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(down.code).toBe(ErrorCode.HTTPError);
    expect(down.statusCode).toBe(503);

    expect(slack.messagesTo("C0PLATFORM")).toEqual([]);
    // A retry starts over with a fresh upload URL and shares once.
    const fileId = await shareFile(client, chart());
    expect(slack.messagesTo("C0PLATFORM")).toEqual([expect.objectContaining({ files: [fileId] })]);
  });

  it("throws a failed POST to the upload URL as a WebClient HTTP error before completing", async () => {
    // The upload URL refuses bytes for a file it already considers done (it answers 404).
    const stop = slack.onCall((call) => {
      const id = call.result?.file_id;
      const file = typeof id === "string" ? slack.files.get(id) : undefined;
      if (file) file.completed = true;
    });
    const error = (await shareFile(client, chart()).catch((e: unknown) => e)) as WebAPIHTTPError;
    stop();
    expect(error.code).toBe(ErrorCode.HTTPError);
    expect(error.statusCode).toBe(404);
    expect(slack.callsTo("files.completeUploadExternal")).toEqual([]);
    expect(slack.messagesTo("C0PLATFORM")).toEqual([]);
  });

  it("refuses an empty file before calling Slack", async () => {
    await expect(shareFile(client, chart({ bytes: Buffer.alloc(0) }))).rejects.toThrow(
      "platform-usage-2026-03-16.png is empty; Slack refuses empty uploads.",
    );
    expect(slack.calls).toEqual([]);
  });
});
