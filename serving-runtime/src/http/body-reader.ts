import type { IncomingMessage } from "node:http";
import { InferenceError } from "../protocol/errors";

/** The 413 error for a body over `limit` bytes. */
export function bodyTooLarge(limit: number, declared?: number): InferenceError {
  return new InferenceError(
    "TOO_LARGE",
    `request body ${declared === undefined ? "exceeds" : `of ${declared} bytes exceeds`} the ` +
      `server's limit of ${limit} bytes (--body-limit-bytes); send a smaller request`,
  );
}

/** The request's `Content-Length`, or undefined when it has none (chunked) or it is malformed. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers["content-length"];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Reads a request body as bytes, at most `limit` of them. A body that arrives in one chunk is
 * used as it is; a longer one is copied once into a buffer of its declared length (so its
 * tensors own their memory and can be handed to a worker thread without another copy). A body
 * growing past `limit` fails with 413 while the rest of it is read and discarded.
 *
 * @param request the incoming request
 * @param limit the body limit in bytes
 * @param done called once with the body or an error
 */
export function readBody(
  request: IncomingMessage,
  limit: number,
  done: (error: Error | null, body?: Buffer) => void,
): void {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) {
    request.resume();
    done(bodyTooLarge(limit, declared));
    return;
  }
  let single: Buffer | undefined;
  let whole: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let received = 0;
  let failed = false;
  const onData = (chunk: Buffer) => {
    if (failed) return;
    received += chunk.length;
    if (received > limit) {
      failed = true;
      done(bodyTooLarge(limit));
      return;
    }
    if (whole) {
      if (received <= whole.length) chunk.copy(whole, received - chunk.length);
      return;
    }
    if (!single && !chunks) {
      single = chunk;
      return;
    }
    if (declared !== undefined && declared <= limit && single) {
      whole = Buffer.allocUnsafeSlow(declared);
      single.copy(whole, 0);
      chunk.copy(whole, single.length);
      single = undefined;
      return;
    }
    chunks ??= single ? [single] : [];
    single = undefined;
    chunks.push(chunk);
  };
  request.on("data", onData);
  request.once("error", (error) => {
    if (failed) return;
    failed = true;
    done(error);
  });
  request.once("end", () => {
    if (failed) return;
    if (whole) done(null, received === whole.length ? whole : whole.subarray(0, received));
    else if (chunks) done(null, Buffer.concat(chunks, received));
    else done(null, single ?? Buffer.alloc(0));
  });
}
