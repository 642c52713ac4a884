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
 * used as it is; a longer one is kept as its chunks and copied once, when it has all arrived,
 * into a buffer of the size that arrived — placed so that byte `alignAt` of the body (where a
 * binary-extension body's tensors start) is 8-byte aligned, so the tensors can be viewed in
 * place rather than copied again to be aligned. Memory grows with what arrived, never with what
 * `Content-Length` claims: a client declaring 50 MB and sending two bytes holds two bytes. A
 * body growing past `limit` fails with 413 while the rest of it is read and discarded; so does
 * one `inspect` refuses (it sees each chunk as it arrives, and throws to refuse the body).
 *
 * @param request the incoming request
 * @param limit the body limit in bytes
 * @param done called once with the body or an error
 * @param inspect sees each chunk as it arrives; what it throws fails the body
 * @param alignAt offset in the body to align to 8 bytes when chunks are joined (0 when absent)
 */
export function readBody(
  request: IncomingMessage,
  limit: number,
  done: (error: Error | null, body?: Buffer) => void,
  inspect?: (chunk: Buffer) => void,
  alignAt = 0,
): void {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) {
    request.resume();
    done(bodyTooLarge(limit, declared));
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let failed = false;
  const onData = (chunk: Buffer) => {
    if (failed) return;
    received += chunk.length;
    if (received > limit) {
      failed = true;
      chunks.length = 0;
      done(bodyTooLarge(limit));
      return;
    }
    if (inspect) {
      try {
        inspect(chunk);
      } catch (error) {
        failed = true;
        chunks.length = 0;
        done(error as Error);
        return;
      }
    }
    chunks.push(chunk);
  };
  request.on("data", onData);
  request.once("error", (error) => {
    if (failed) return;
    failed = true;
    chunks.length = 0;
    done(error);
  });
  request.once("end", () => {
    if (failed) return;
    if (chunks.length === 0) done(null, Buffer.alloc(0));
    else if (chunks.length === 1) done(null, chunks[0]);
    else done(null, joinAligned(chunks, received, alignAt));
  });
}

/**
 * Joins chunks into one buffer of its own, with byte `alignAt` of the result at an 8-byte
 * aligned address (the buffer is not taken from Node's shared pool).
 */
function joinAligned(chunks: readonly Buffer[], received: number, alignAt: number): Buffer {
  const memory = Buffer.allocUnsafeSlow(received + 7);
  const pad = (8 - ((memory.byteOffset + alignAt) % 8)) % 8;
  let offset = pad;
  for (const chunk of chunks) {
    chunk.copy(memory, offset);
    offset += chunk.length;
  }
  return memory.subarray(pad, pad + received);
}
