import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { bodyTooLarge, declaredLength } from "./body-reader";
import { lingerBeforeClose } from "./linger";

/** Handles one request (fastify's handler). */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * How long an idle kept-alive connection stays open, in ms: longer than the 60 s idle timeout of
 * common load balancers, so the server never closes a connection a balancer is about to reuse
 * (fastify's default, kept).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Longest a client may take to send a request's headers, in ms, whatever the request timeout. */
export const HEADERS_TIMEOUT_MS = 60_000;

/** What the HTTP server needs to know besides the handler. */
export interface HttpServerOptions {
  /** Largest request body in bytes. */
  bodyLimitBytes: number;
  /** Whether the server is draining: every response then carries `Connection: close`. */
  draining(): boolean;
  /**
   * Longest a client may take to send a request's headers and body, in ms
   * (`--request-timeout-seconds`): a request still arriving then is answered 408 and its
   * connection closed.
   */
  requestTimeoutMs: number;
}

/**
 * Node's request and header timeouts for a request timeout: the whole request within
 * `requestTimeoutMs`, its headers within the same or {@link HEADERS_TIMEOUT_MS}, whichever is
 * shorter, checked every quarter of the timeout (between 100 ms and Node's default 30 s), so a
 * slow client is cut off at most a quarter of the timeout late. fastify sets these only on a
 * server it creates itself, so a server made by its `serverFactory` must set them.
 */
export function requestTimeouts(requestTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestTimeoutMs, HEADERS_TIMEOUT_MS),
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(requestTimeoutMs / 4))),
  };
}

/**
 * Answers a request whose declared body is over the limit with 413 at once, before reading it
 * (and, for `Expect: 100-continue`, instead of `100 Continue`), then lingers so the client can
 * read the answer even while it is still uploading.
 */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse, limit: number): void {
  const body = JSON.stringify({ error: bodyTooLarge(limit, declaredLength(request)).message });
  const id = request.headers["x-request-id"];
  lingerBeforeClose(request.socket);
  response.writeHead(413, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
    ...(typeof id === "string" ? { "x-request-id": id } : {}),
  });
  response.end(body);
}

/**
 * Creates the Node HTTP server the application runs on (fastify's `serverFactory`): a request
 * declaring a body over the limit gets its 413 here, readable by the client (see
 * {@link refuseTooLarge}); `Expect: 100-continue` is answered with `100 Continue` only for bodies
 * within the limit; while draining, every new response says `Connection: close`; a request
 * whose headers and body have not arrived within the request timeout gets 408
 * ({@link requestTimeouts}).
 *
 * @param handler the application's request handler
 * @param options body limit, drain state and request timeout
 */
export function createHttpServer(handler: RequestHandler, options: HttpServerOptions): Server {
  const { bodyLimitBytes: limit, draining } = options;
  const tooLarge = (request: IncomingMessage) => (declaredLength(request) ?? 0) > limit;
  const server = createServer(requestTimeouts(options.requestTimeoutMs), (request, response) => {
    if (tooLarge(request)) return refuseTooLarge(request, response, limit);
    if (draining()) response.setHeader("connection", "close");
    handler(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    if (tooLarge(request)) return refuseTooLarge(request, response, limit);
    if (draining()) response.setHeader("connection", "close");
    response.writeContinue();
    handler(request, response);
  });
  return server;
}
