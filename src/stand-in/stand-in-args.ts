/** Arguments of one Web API call after decoding, whatever the body's content type was. */
export type ApiArgs = Record<string, unknown>;

/** What a Web API method answers: Slack always sends `ok`, and `error` when it is false. */
export type ApiResult = { ok: boolean; error?: string } & Record<string, unknown>;

export type ApiHandler = (args: ApiArgs) => ApiResult;

/**
 * Fields that WebClient (like every Slack SDK) JSON-encodes into a form body because a form can only
 * carry strings. Slack decodes them on its side; the stand-in does the same so that recorded calls
 * show objects, not strings.
 */
const JSON_ENCODED_FIELDS = new Set([
  "attachments",
  "blocks",
  "files",
  "metadata",
  "unfurls",
  "user_auth_blocks",
  "view",
]);

export function ok(fields: Record<string, unknown> = {}): ApiResult {
  return { ok: true, ...fields };
}

export function fail(error: string, fields: Record<string, unknown> = {}): ApiResult {
  return { ok: false, error, ...fields };
}

/** A string argument; numbers and booleans arrive as strings in a form body anyway. */
export function str(args: ApiArgs, key: string): string | undefined {
  const value = args[key];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Slack reads booleans from forms as "true"/"1"; JSON bodies may carry real booleans. */
export function flag(args: ApiArgs, key: string): boolean {
  const value = args[key];
  return value === true || value === "true" || value === "1" || value === 1;
}

export function num(args: ApiArgs, key: string): number | undefined {
  const raw = str(args, key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Slack takes ID lists as comma-separated strings ("U1,U2"); a JSON body may send an array. */
export function idList(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(",") : [];
  return parts.map((part) => part.trim()).filter(Boolean);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a JSON-encoded form field back into the object the caller passed. */
function decodeField(key: string, value: string): unknown {
  if (!JSON_ENCODED_FIELDS.has(key)) return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

export function decodeFormFields(fields: Iterable<[string, string]>): ApiArgs {
  const args: ApiArgs = {};
  for (const [key, value] of fields) args[key] = decodeField(key, value);
  return args;
}

export class BodyError extends Error {
  constructor(readonly slackError: string) {
    super(slackError);
  }
}

/**
 * Decodes a Web API request body the way Slack accepts it: form-encoded (what WebClient sends),
 * JSON (what curl users and some SDKs send), or multipart (WebClient's choice when an argument is
 * a Buffer). Query-string arguments are merged in, as Slack also accepts GET.
 */
export async function decodeApiBody(
  contentType: string,
  raw: Buffer,
  query: URLSearchParams,
): Promise<{ args: ApiArgs; json: boolean }> {
  const args = decodeFormFields(query.entries());
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (raw.length === 0) return { args, json: false };
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new BodyError("invalid_json");
    }
    if (!isRecord(parsed)) throw new BodyError("json_not_object");
    return { args: { ...args, ...parsed }, json: true };
  }
  if (type === "multipart/form-data") {
    const form = await readMultipart(contentType, raw);
    const fields: [string, string][] = [];
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") fields.push([key, value]);
    }
    return { args: { ...args, ...decodeFormFields(fields) }, json: false };
  }
  if (type === "application/x-www-form-urlencoded" || type === "text/plain" || type === "") {
    const fields = new URLSearchParams(raw.toString("utf8")).entries();
    return { args: { ...args, ...decodeFormFields(fields) }, json: false };
  }
  throw new BodyError("invalid_post_type");
}

/** Node's own fetch implementation parses multipart bodies, so no parser dependency is needed. */
export async function readMultipart(contentType: string, raw: Buffer): Promise<FormData> {
  const request = new Request("http://stand-in.local/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: new Uint8Array(raw),
  });
  try {
    return await request.formData();
  } catch {
    throw new BodyError("invalid_form_data");
  }
}
