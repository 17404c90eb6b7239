import type { IncomingMessage, ServerResponse } from "node:http";
import {
  BodyError,
  decodeApiBody,
  fail,
  isRecord,
  readMultipart,
  type ApiArgs,
  type ApiHandler,
  type ApiResult,
} from "./stand-in-args";
import type { ResponseOrigin, StandInMessages } from "./stand-in-messages";
import type { StandInFault, StandInRecorder } from "./stand-in-recorder";

// A response_url works five times within thirty minutes, then Slack answers 404.
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
/** Key for failNext that targets response_url POSTs instead of a Web API method. */
export const RESPONSE_URL_FAULT = "response_url";

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const type = body.startsWith("{") ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Routes the three things Slack serves over HTTP: /api/<method>, upload URLs and response_urls. */
export class StandInRouter {
  private readonly responseUrls = new Map<
    string,
    { origin: ResponseOrigin; uses: number; issuedAt: number }
  >();

  constructor(
    private readonly handlers: Record<string, ApiHandler>,
    private readonly recorder: StandInRecorder,
    private readonly store: StandInMessages,
  ) {}

  issueResponseUrl(baseUrl: string, origin: ResponseOrigin): string {
    const url = `${baseUrl}response/${this.responseUrls.size + 1}`;
    this.responseUrls.set(url, { origin, uses: 0, issuedAt: Date.now() });
    return url;
  }

  async handle(baseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const raw = await readBody(req);
    const [, area, id] = url.pathname.split("/");
    if (area === "api" && id) return this.handleApi(id, req, raw, url.searchParams, res);
    if (area === "upload" && id && req.method === "POST") return this.handleUpload(id, req, raw, res);
    if (area === "response" && id && req.method === "POST") {
      return this.handleResponse(`${baseUrl}response/${id}`, raw, res);
    }
    send(res, 404, "not_found");
  }

  private async handleApi(
    method: string,
    req: IncomingMessage,
    raw: Buffer,
    query: URLSearchParams,
    res: ServerResponse,
  ): Promise<void> {
    const fault = this.recorder.takeFault(method);
    let args: ApiArgs = {};
    let result: ApiResult;
    try {
      const decoded = await decodeApiBody(req.headers["content-type"] ?? "", raw, query);
      const { token: bodyToken, ...rest } = decoded.args;
      args = rest;
      if (fault?.hangMs) await this.recorder.delay(fault.hangMs);
      const failing = fault && (fault.status !== undefined || fault.error !== undefined);
      if (failing && !fault.afterRunning) return this.answerFault(method, args, fault, res);
      // Slack reads a token from a form body, but a JSON body needs the Authorization header.
      const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      result = this.run(method, args, header ?? (decoded.json ? undefined : bodyToken));
      if (failing) return this.answerFault(method, args, fault, res);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      result = fail(error.slackError);
    }
    this.recorder.recordCall({
      method,
      args,
      at: Date.now(),
      status: 200,
      result,
      ...(fault ? { fault } : {}),
    });
    send(res, 200, JSON.stringify(result));
  }

  /** Slack checks the method before the token, and answers both with HTTP 200. */
  private run(method: string, args: ApiArgs, token: unknown): ApiResult {
    const handler = this.handlers[method];
    if (!handler) return fail("unknown_method");
    if (typeof token !== "string" || token === "") return fail("not_authed");
    if (!/^xox[abpe]-/.test(token)) return fail("invalid_auth");
    return handler(args);
  }

  private answerFault(method: string, args: ApiArgs, fault: StandInFault, res: ServerResponse): void {
    const status = fault.status ?? 200;
    const result = fail(fault.error ?? (status === 429 ? "ratelimited" : "internal_error"));
    this.recorder.recordCall({ method, args, at: Date.now(), status, result, fault });
    const headers: Record<string, string> =
      status === 429 ? { "retry-after": String(fault.retryAfter ?? 1) } : {};
    // Slack's outages come back as a plain or HTML page, not JSON.
    send(res, status, status >= 500 ? "Internal Server Error" : JSON.stringify(result), headers);
  }

  /** WebClient sends the bytes as multipart (field "body"); a raw body (curl) works as well. */
  private async handleUpload(
    fileId: string,
    req: IncomingMessage,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const type = req.headers["content-type"] ?? "";
    let bytes = raw;
    if (type.startsWith("multipart/form-data")) {
      const form = await readMultipart(type, raw);
      const part = [...form.values()].find((value) => typeof value !== "string");
      if (part) bytes = Buffer.from(await part.arrayBuffer());
    }
    const length = this.store.receiveUpload(fileId, bytes);
    if (length === undefined) send(res, 404, "file_not_found");
    else send(res, 200, `OK - ${length}`);
  }

  /** Answers like hooks.slack.com: 200 "ok", or a 4xx with the reason as plain text. */
  private async handleResponse(url: string, raw: Buffer, res: ServerResponse): Promise<void> {
    const entry = this.responseUrls.get(url);
    const fault = this.recorder.takeFault(RESPONSE_URL_FAULT);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = raw.toString("utf8");
    }
    if (fault?.hangMs) await this.recorder.delay(fault.hangMs);
    const answer = (status: number, text: string) => {
      this.recorder.recordResponse({ url, body, at: Date.now(), status });
      const headers: Record<string, string> =
        fault?.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      send(res, status, text, headers);
    };
    if (fault && (fault.status !== undefined || fault.error !== undefined)) {
      return answer(fault.status ?? 400, fault.error ?? "error");
    }
    if (!entry) return answer(404, "no_service");
    if (Date.now() - entry.issuedAt > RESPONSE_URL_TTL_MS) return answer(404, "expired_url");
    if (entry.uses >= RESPONSE_URL_USES) return answer(404, "used_url");
    if (!isRecord(body)) return answer(400, "invalid_payload");
    entry.uses += 1;
    const error = this.store.applyResponse(url, entry.origin, body);
    answer(error ? 400 : 200, error ?? "ok");
  }
}
