import { createServer, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { requestTimeouts } from "./http-server";

/** A listening metrics port. */
export interface RunningMetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:8002`. */
  url: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Where and how the metrics port listens. */
export interface MetricsListenOptions {
  /** Address to listen on (the main port's). */
  host: string;
  /** Port (`--metrics-port`). */
  port: number;
  /** Longest a client may take to send a request, in ms (`--request-timeout-seconds`). */
  requestTimeoutMs: number;
}

function answer(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/**
 * Serves `GET /metrics` (Prometheus text format) on a port of its own, as Triton serves metrics
 * on 8002: the main port then carries no metrics, and a NetworkPolicy can admit only the
 * monitoring namespace to this one. Any other path answers 404, any other method 405, in the
 * protocol's `{"error": …}` shape.
 *
 * @param registry the server's metrics
 * @param options host, port and request timeout
 */
export function startMetricsServer(
  registry: Registry,
  options: MetricsListenOptions,
): Promise<RunningMetricsServer> {
  const server = createServer(requestTimeouts(options.requestTimeoutMs), (request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== "/metrics") {
      answer(
        response,
        404,
        "application/json",
        JSON.stringify({ error: `no endpoint ${path}; this port serves GET /metrics` }),
      );
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      answer(response, 405, "application/json", JSON.stringify({ error: "use GET /metrics" }));
      return;
    }
    registry.metrics().then(
      (text) => answer(response, 200, registry.contentType, text),
      () => answer(response, 500, "application/json", '{"error":"internal server error"}'),
    );
  });
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new Error(`--metrics-port: cannot listen on ${host}:${options.port}: ${error.message}`),
      ),
    );
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
