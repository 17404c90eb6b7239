import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-errors";

/** The largest body the API reads: 1,000 events of ordinary size fit in a fraction of it. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** After refusing a body, what we still read (and drop) so the client can see the 413 before we hang up. */
const DRAIN_BYTES = 8 * MAX_BODY_BYTES;

/** The client went away before sending its whole body: there is nobody to answer. */
export class ClientGone extends Error {}

function tooLarge(): ApiError {
  return new ApiError(
    413,
    "payload_too_large",
    `The body is larger than ${MAX_BODY_BYTES.toLocaleString("en-US")} bytes; send at most 1,000 events per request.`,
  );
}

/**
 * Reads a JSON body of at most `limit` bytes and parses it. Refuses (before reading, or as soon as
 * the streamed bytes pass the limit, without buffering the rest) a body that is too large, one that
 * isn't `application/json`, a compressed one, and one that isn't JSON.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Send the body as JSON with Content-Type: application/json${type ? `, not ${type.slice(0, 60)}` : ""}.`,
    );
  }
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    throw new ApiError(415, "unsupported_media_type", "Send the body uncompressed (no Content-Encoding).");
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();

  const text = await readText(req, limit);
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "The body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, "invalid_json", "The body is not valid JSON.");
  }
}

function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      chunks.length = 0;
      discardBody(req);
      reject(tooLarge());
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onGone = () => {
      stop();
      reject(new ClientGone("the client closed the request before sending its body"));
    };
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onGone);
      req.off("error", onGone);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("aborted", onGone);
    req.on("error", onGone);
  });
}

const discarding = new WeakSet<IncomingMessage>();

/**
 * Drops what is left of a request's body as it arrives, keeping nothing: after a refusal (a bad
 * key, an oversized body) the client may still be sending. Hanging up at once would make the
 * kernel reset the connection, and the client could lose the answer we just sent; a client that
 * keeps sending far past the limit is cut off.
 */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || discarding.has(req)) return;
  discarding.add(req);
  let dropped = 0;
  req.on("error", () => undefined);
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) req.socket.destroy();
  });
}

/** The API key from `Authorization: Bearer <key>`, or undefined when there is none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** The query string's parameters (each taken once; repeated ones keep the first). */
export function queryOf(req: IncomingMessage): Record<string, string> {
  const params = new URL(req.url ?? "/", "http://localhost").searchParams;
  const query = new Map<string, string>();
  for (const [key, value] of params) if (!query.has(key)) query.set(key, value);
  // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key.
  return Object.fromEntries(query);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}
