import type { RespondFn } from "@slack/bolt";
import type { Reply } from "./reply";
import { toSlackMessage } from "./reply";

/** Slack gives up on an ack after 3 seconds; leave room for the network. */
const ACK_DEADLINE_MS = 2_000;

type AckWithBody = (body?: ReturnType<typeof toSlackMessage>) => Promise<void>;

/**
 * Answers a slash command as fast as Slack allows: when the work finishes within the ack deadline
 * (the usual case: a few database queries), its reply travels in the ack itself, so the user sees
 * it without a second round trip; when it takes longer, the command is acked empty at the deadline
 * and the reply follows through the response_url. Either way the ack is never late.
 */
export async function answerCommand(
  ack: AckWithBody,
  respond: RespondFn,
  work: () => Promise<Reply | undefined>,
  onError: (error: unknown) => Reply,
): Promise<void> {
  const outcome = work().then(
    (reply) => ({ reply }),
    (error: unknown) => ({ reply: onError(error) }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ACK_DEADLINE_MS);
  });
  const first = await Promise.race([outcome, deadline]);
  clearTimeout(timer);
  if (first !== "late") {
    await ack(first.reply ? toSlackMessage(first.reply) : undefined);
    return;
  }
  await ack();
  const { reply } = await outcome;
  if (reply) await respond(toSlackMessage(reply));
}
