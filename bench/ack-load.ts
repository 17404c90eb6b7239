import http from "node:http";
import { signSlackBody, slashCommand } from "../src/stand-in/signed-request";
import type { SlackStandIn } from "../src/stand-in/slack-stand-in";

/** One slash command as the bench saw it; times in ms from the moment its request was sent. */
export interface Sample {
  /** Time to the HTTP answer (the ack). */
  ackMs: number;
  /** Time to the user's reply: the ack body, or the response_url post; null if none came. */
  replyMs: number | null;
  /** The reply came in the ack body (else through the response_url, or not at all). */
  inAck: boolean;
  /** The reply was what the command shows, not a refusal or an apology. */
  ok: boolean;
  /** When not ok: the HTTP status, or the start of the reply's sentence. */
  problem?: string;
  status: number;
  /** performance.now() when the reply arrived (or the ack, for an app that never replies). */
  doneAt: number;
}

export interface SenderOptions {
  port: number;
  signingSecret: string;
  slack: SlackStandIn;
  workspaceId: string;
  /** The bare app only acks: its ack is its whole answer. */
  expectsReply: boolean;
  /** How long to wait for a response_url post after an empty ack. */
  replyTimeoutMs?: number;
}

/**
 * Sends `/team` commands to an app's /slack/events exactly as Slack does (form body from the
 * stand-in's payload builder, a fresh trigger_id and response_url each, signed with the signing
 * secret), over one keep-alive agent, and times the ack and the reply.
 */
export class SlashSender {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
  private readonly waiting = new Map<string, (at: number, body: unknown) => void>();
  private readonly unsubscribe: () => void;
  /** response_url posts that came for no request still waiting (a late reply after its timeout). */
  strayResponses = 0;

  constructor(private readonly options: SenderOptions) {
    this.unsubscribe = options.slack.onResponse((response) => {
      const at = performance.now();
      const waiter = this.waiting.get(response.url);
      if (waiter) waiter(at, response.body);
      else this.strayResponses++;
    });
  }

  async send(userId: string, text: string): Promise<Sample> {
    const { slack, workspaceId, signingSecret, port } = this.options;
    const responseUrl = slack.responseUrl();
    const form = slashCommand({ workspaceId, userId, channelId: "C0BENCH01", text, responseUrl });
    const body = new URLSearchParams(form).toString();
    // Listening before sending: a response_url post may overtake the ack on another socket.
    let posted: (at: number, body: unknown) => void = () => undefined;
    const viaUrl = new Promise<{ at: number; body: unknown }>((resolve) => {
      posted = (at, reply) => resolve({ at, body: reply });
    });
    if (this.options.expectsReply) this.waiting.set(responseUrl, posted);
    const started = performance.now();
    try {
      const answer = await this.post(port, body, signSlackBody(signingSecret, body)).catch(() => ({
        status: 0,
        text: "",
      }));
      const ackAt = performance.now();
      const sample = (replyAt: number | null, reply: unknown, inAck: boolean): Sample => {
        const ok = replyAt !== null && answer.status === 200 && isGoodReply(reply);
        return {
          ackMs: ackAt - started,
          replyMs: replyAt === null ? null : replyAt - started,
          inAck,
          ok,
          ...(!ok && replyAt !== null && { problem: problemOf(answer.status, reply) }),
          status: answer.status,
          doneAt: replyAt ?? ackAt,
        };
      };
      if (!this.options.expectsReply) {
        const ok = answer.status === 200;
        return { ...sample(ackAt, null, true), ok, ...(!ok && { problem: `HTTP ${answer.status}` }) };
      }
      const inAck = parse(answer.text);
      if (answer.status !== 200 || hasText(inAck)) return sample(ackAt, inAck, true);
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        viaUrl,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.options.replyTimeoutMs ?? 30_000);
        }),
      ]);
      clearTimeout(timer);
      return late ? sample(late.at, late.body, false) : sample(null, null, false);
    } finally {
      this.waiting.delete(responseUrl);
    }
  }

  close(): void {
    this.unsubscribe();
    this.agent.destroy();
  }

  private post(port: number, body: string, signature: Record<string, string>) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/slack/events",
          method: "POST",
          agent: this.agent,
          headers: {
            // Bolt compares the content type exactly; Slack sends no charset.
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": Buffer.byteLength(body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            ...signature,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      // Slack gives up after 3 seconds; the bench waits longer, but not forever.
      req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")));
      req.end(body);
    });
  }
}

function parse(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

function problemOf(status: number, reply: unknown): string {
  if (status !== 200) return `HTTP ${status}`;
  return hasText(reply) ? (reply as { text: string }).text.slice(0, 80) : "an ack with no reply";
}

function hasText(body: unknown): boolean {
  return typeof body === "object" && body !== null && typeof (body as { text?: unknown }).text === "string";
}

/** Refusals start with 🚫 and apologies (database down, our fault) with ⚠️ (src/slack/errors.ts). */
function isGoodReply(body: unknown): boolean {
  if (!hasText(body)) return false;
  const text = (body as { text: string }).text;
  return !text.startsWith(":no_entry_sign:") && !text.startsWith(":warning:");
}

export interface PacedRun {
  samples: Sample[];
  /** How late each request left against its schedule: the load generator's own delay. */
  lagMs: number[];
  seconds: number;
}

/**
 * Open loop: request i leaves at start + i/rate whatever is still outstanding, so a slow app
 * meets the same arrivals as a fast one (no coordinated omission). Latencies are measured from
 * the moment each request actually left; how late it left is reported apart.
 */
export async function pacedRun(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<Sample>,
): Promise<PacedRun> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const start = performance.now() + 20;
  const lagMs: number[] = [];
  const inFlight: Promise<Sample>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    lagMs.push(Math.max(0, performance.now() - due));
    inFlight.push(send(i));
  }
  const samples = await Promise.all(inFlight);
  return { samples, lagMs, seconds: (Math.max(...samples.map((s) => s.doneAt)) - start) / 1000 };
}

export interface ClosedRun {
  samples: Sample[];
  /** Good replies completed within the window. */
  completed: number;
  seconds: number;
}

/**
 * Closed loop: `senders` senders each send, wait for the user's reply (not just the ack), and
 * send again, for `seconds`. Only replies completed inside the window count.
 */
export async function closedRun(
  senders: number,
  seconds: number,
  send: (i: number) => Promise<Sample>,
): Promise<ClosedRun> {
  const start = performance.now();
  const end = start + seconds * 1000;
  const samples: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (performance.now() < end) samples.push(await send(next++));
    }),
  );
  const completed = samples.filter((s) => s.ok && s.doneAt <= end).length;
  return { samples, completed, seconds };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
