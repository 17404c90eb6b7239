import { WebAPIHTTPError, WebAPIRateLimitedError, WebAPIRequestError, type WebClient } from "@slack/web-api";

export interface FileShare {
  /** The channel to share the file in, as a message of its own. */
  channel: string;
  bytes: Buffer;
  filename: string;
  /** What Slack shows above the file. */
  title: string;
  /** Read out by screen readers in place of an image. */
  altText: string;
  /** The message text that carries the file. */
  initialComment?: string;
  /** Share it as a reply in this thread instead. */
  threadTs?: string;
}

// Slack has no stated limit for the upload POST; give a slow link a minute before giving up.
const UPLOAD_TIMEOUT_MS = 60_000;

/**
 * Uploads a file and shares it in a channel with Slack's external upload flow (files.upload is
 * retired): files.getUploadURLExternal, POST the bytes to the URL it returns, then
 * files.completeUploadExternal, which shares it. Returns the file's id.
 *
 * Retrying is the caller's to decide: every failure is thrown as the WebClient error it is, and a
 * failed POST to the upload URL as the same kind (WebAPIRateLimitedError on 429, WebAPIHTTPError,
 * WebAPIRequestError), so one policy covers all three steps. Each attempt starts over with a new
 * upload URL: Slack never shares a file whose upload was not completed.
 */
export async function shareFile(client: WebClient, file: FileShare): Promise<string> {
  if (file.bytes.length === 0)
    throw new RangeError(`${file.filename} is empty; Slack refuses empty uploads.`);
  const { upload_url: uploadUrl, file_id: fileId } = await client.files.getUploadURLExternal({
    filename: file.filename,
    length: file.bytes.length,
    alt_text: file.altText,
  });
  if (!uploadUrl || !fileId) throw new Error("files.getUploadURLExternal answered without an upload URL.");
  await postBytes(uploadUrl, file.bytes);
  const destination = file.threadTs
    ? { channel_id: file.channel, thread_ts: file.threadTs }
    : { channel_id: file.channel };
  await client.files.completeUploadExternal({
    ...destination,
    files: [{ id: fileId, title: file.title }],
    ...(file.initialComment === undefined ? {} : { initial_comment: file.initialComment }),
  });
  return fileId;
}

/** The upload URL takes the raw bytes and answers 200 "OK - <length>". */
async function postBytes(url: string, bytes: Buffer): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: bytes,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    throw new WebAPIRequestError(error instanceof Error ? error : new Error(String(error)));
  }
  const body = await response.text();
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new WebAPIRateLimitedError(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1);
  }
  if (!response.ok) {
    throw new WebAPIHTTPError(
      response.status,
      response.statusText,
      Object.fromEntries(response.headers.entries()),
      body,
    );
  }
}
