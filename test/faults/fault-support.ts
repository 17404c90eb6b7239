import { expect } from "vitest";
import { postToSlackApp } from "../../src/stand-in/signed-request";
import * as payloads from "../../src/stand-in/slack-payloads";
import { SIGNING_SECRET, type SlackWorld } from "../support/slack-app";

/** Slack shows the user an error when the app's HTTP 200 takes longer than this. */
export const SLACK_ACK_MS = 3_000;

export interface TimedAnswer {
  status: number;
  /** Time to the HTTP answer (the ack), measured by the sender. */
  ackMs: number;
  /** Whether the reply travelled in the ack itself (the work finished within the ack deadline). */
  inAck: boolean;
  /** The reply the user sees: the ack body's text, or what came later through the response_url. */
  reply(): Promise<string>;
}

/**
 * Sends `/team <text>` as Slack would and measures the time to the HTTP 200; `reply()` waits for
 * what the user sees, whether it travelled in the ack or came later through the response_url.
 */
export async function timedCommand(world: SlackWorld, userId: string, text: string): Promise<TimedAnswer> {
  const responseUrl = world.slack.responseUrl();
  const answer = await postToSlackApp(world.url, SIGNING_SECRET, {
    form: payloads.slashCommand({
      workspaceId: world.workspaceId,
      userId,
      channelId: "C0GENERAL",
      text,
      responseUrl,
    }),
  });
  const inAck = (answer.json as { text?: string } | undefined)?.text;
  return {
    status: answer.status,
    ackMs: answer.ms,
    inAck: inAck !== undefined,
    async reply() {
      if (inAck) return inAck;
      await expect
        .poll(() => world.slack.responses.some((r) => r.url === responseUrl), { timeout: 20_000 })
        .toBe(true);
      const later = world.slack.responses.find((r) => r.url === responseUrl);
      return (later?.body as { text?: string } | undefined)?.text ?? "";
    },
  };
}

/** Where a press goes: a copy of the bot (its URL), in a workspace, with the Slack stand-in. */
export type PressTarget = Pick<SlackWorld, "url" | "workspaceId" | "slack">;

/** Presses a button on a message as Slack sends it and measures the time to the HTTP 200. */
export async function timedPress(
  target: PressTarget,
  userId: string,
  button: { action_id: string; value: string },
  message: { ts: string; channel: string },
): Promise<{ status: number; ackMs: number; responseUrl: string }> {
  const responseUrl = target.slack.responseUrl({ channel: message.channel, messageTs: message.ts, userId });
  const answer = await postToSlackApp(target.url, SIGNING_SECRET, {
    payload: payloads.blockActions({
      workspaceId: target.workspaceId,
      userId,
      actionId: button.action_id,
      value: button.value,
      responseUrl,
      message: { ...message, blocks: [], text: "" },
    }),
  });
  return { status: answer.status, ackMs: answer.ms, responseUrl };
}

/** Collects unhandled rejections and uncaught exceptions while installed (a crash, in production). */
export function watchProcess(): { problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const onProblem = (error: unknown) => problems.push(error);
  process.on("unhandledRejection", onProblem);
  process.on("uncaughtException", onProblem);
  return {
    problems,
    stop() {
      process.off("unhandledRejection", onProblem);
      process.off("uncaughtException", onProblem);
    },
  };
}

export async function healthz(world: SlackWorld): Promise<number> {
  const response = await fetch(world.url.replace("/slack/events", "/healthz"));
  await response.text();
  return response.status;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
