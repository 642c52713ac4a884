import type { TraceHeaders } from "../tracing/request-trace";
import { TokenFile } from "./token-file";

/**
 * The header a runtime sets on a request it sends to another runtime: `fallback`, `shadow` or
 * `step` (an ensemble's remote step). A runtime never forwards a request carrying it again (no
 * remote fallback, no shadow copy, no remote ensemble step), so two runtimes that name each other
 * cannot bounce a request between them.
 */
export const FORWARDED_HEADER = "hybridai-forwarded";

/** Largest remote answer read, in bytes; a longer one counts as a failed call. */
export const MAX_REMOTE_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Why a remote call got no answer: no answer in time, a failed connection, or the caller gave up. */
export type RemoteFailure = "timeout" | "error" | "cancelled";

/** A remote call that got no HTTP answer. */
export class RemoteCallError extends Error {
  /**
   * @param failure why
   * @param message what happened, for logs and error messages
   */
  constructor(
    readonly failure: RemoteFailure,
    message: string,
  ) {
    super(message);
    this.name = "RemoteCallError";
  }
}

/** One inference request to send as it arrived: its raw body and how to read it. */
export interface RemoteInferRequest {
  /** Model name on the remote endpoint. */
  model: string;
  /** The request body, JSON or binary-extension, forwarded byte for byte. */
  body: Buffer;
  /** `Inference-Header-Content-Length` of a binary-extension body. */
  headerLength?: string;
  /** Request id, sent as `X-Request-Id`. */
  requestId?: string;
  /** Why the request is sent, as {@link FORWARDED_HEADER} says (`step`: an ensemble's remote step). */
  purpose: "fallback" | "shadow" | "step";
  /** Aborts the call (the client went away, the model is unloading). */
  signal?: AbortSignal;
  /** W3C trace context headers (`traceparent`, `tracestate`) that carry the caller's trace. */
  traceHeaders?: TraceHeaders;
}

/** The remote endpoint's HTTP answer. */
export interface RemoteAnswer {
  /** HTTP status. */
  status: number;
  /** The whole body. */
  body: Buffer;
  /** Length of the JSON part when binary tensors follow it (`Inference-Header-Content-Length`). */
  jsonLength?: number;
  /** Milliseconds from sending to the last byte of the answer. */
  durationMs: number;
}

/** Where and how to reach a remote Open Inference Protocol endpoint. */
export interface RemoteEndpointOptions {
  /** Base URL without a trailing slash, e.g. `https://inference.example.com`. */
  url: string;
  /** File holding the bearer token; no `Authorization` header without one. */
  tokenFile?: string;
  /** Milliseconds to wait for the whole answer. */
  timeoutMs: number;
  /** Largest answer read; {@link MAX_REMOTE_RESPONSE_BYTES} by default. */
  maxResponseBytes?: number;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  return cause?.message ?? (error as Error).message;
}

function jsonLengthOf(headers: Headers, bodyLength: number): number | undefined {
  const header = headers.get("inference-header-content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  const length = Number(header);
  return length <= bodyLength ? length : undefined;
}

async function readCapped(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RemoteCallError("error", `answer of ${declared} bytes exceeds ${limit} bytes`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    length += chunk.byteLength;
    if (length > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new RemoteCallError("error", `answer exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Sends inference requests to a remote Open Inference Protocol endpoint (another hybridai
 * runtime, Triton, KServe) with Node's built-in fetch: `POST {url}/v2/models/{model}/infer`,
 * the body byte for byte (JSON or binary extension), the bearer token from its file, the request
 * id, and {@link FORWARDED_HEADER}. Every call ends within `timeoutMs`, answer body included.
 */
export class RemoteInferenceClient {
  private readonly token?: TokenFile;

  /** @param options URL, token file, timeout and answer limit */
  constructor(private readonly options: RemoteEndpointOptions) {
    if (options.tokenFile) this.token = new TokenFile(options.tokenFile);
  }

  /** The endpoint's base URL. */
  get url(): string {
    return this.options.url;
  }

  /**
   * Sends one request and reads the whole answer, whatever its status.
   * @throws RemoteCallError when there is no answer in time, the connection fails, the token
   * file cannot be read, the answer is too long, or `request.signal` aborts.
   */
  async infer(request: RemoteInferRequest): Promise<RemoteAnswer> {
    const { url, timeoutMs } = this.options;
    const headers: Record<string, string> = {
      "content-type":
        request.headerLength === undefined ? "application/json" : "application/octet-stream",
      [FORWARDED_HEADER]: request.purpose,
    };
    if (request.headerLength !== undefined) {
      headers["inference-header-content-length"] = request.headerLength;
    }
    if (request.requestId !== undefined) headers["x-request-id"] = request.requestId;
    if (request.traceHeaders) Object.assign(headers, request.traceHeaders);
    if (this.token) {
      try {
        headers.authorization = `Bearer ${await this.token.current()}`;
      } catch (error) {
        throw new RemoteCallError("error", (error as Error).message);
      }
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const started = performance.now();
    try {
      const response = await fetch(`${url}/v2/models/${encodeURIComponent(request.model)}/infer`, {
        method: "POST",
        headers,
        body: request.body,
        signal,
      });
      const body = await readCapped(
        response,
        this.options.maxResponseBytes ?? MAX_REMOTE_RESPONSE_BYTES,
      );
      return {
        status: response.status,
        body,
        jsonLength: jsonLengthOf(response.headers, body.length),
        durationMs: performance.now() - started,
      };
    } catch (error) {
      if (error instanceof RemoteCallError) throw error;
      if (timeout.aborted) {
        throw new RemoteCallError("timeout", `no answer within timeout_ms ${timeoutMs}`);
      }
      if (request.signal?.aborted) throw new RemoteCallError("cancelled", "the call was abandoned");
      throw new RemoteCallError("error", causeOf(error));
    }
  }
}
