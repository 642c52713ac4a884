import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server does to one request for an object instead of answering it normally. */
export type Fault =
  /** Answer with this HTTP status and a JSON error body. */
  | { status: number }
  /** Send the headers with the full Content-Length, half the body, then destroy the socket. */
  | { drop: "mid-body" }
  /** Send the headers and half the body, then nothing more (the connection stays open). */
  | { stall: "mid-body" };

/** A loopback HTTP server holding objects, with scripted faults per object. */
export interface ObjectServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Objects by full name (e.g. `models/ranker/1/model.onnx`). */
  readonly objects: Map<string, Buffer>;
  /** Faults to apply, in order, to the next requests for an object name (each used once). */
  readonly faults: Map<string, Fault[]>;
  /** Requests seen, as `METHOD path?query`. */
  readonly requests: string[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Answers an object's content, applying the next scripted fault for it if any. */
export function sendObject(
  server: ObjectServer,
  name: string,
  response: ServerResponse,
  headers: Record<string, string> = {},
): void {
  const content = server.objects.get(name);
  const fault = server.faults.get(name)?.shift();
  if (fault && "status" in fault) {
    response.writeHead(fault.status, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { code: fault.status, message: "scripted fault" } }));
    return;
  }
  if (content === undefined) {
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { code: 404, message: `No such object: ${name}` } }));
    return;
  }
  response.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": String(content.length),
    ...headers,
  });
  if (fault && "stall" in fault) {
    response.write(content.subarray(0, Math.floor(content.length / 2)));
    return;
  }
  if (fault && "drop" in fault) {
    response.write(content.subarray(0, Math.floor(content.length / 2)), () =>
      response.socket?.destroy(),
    );
    return;
  }
  response.end(content);
}

/**
 * Starts a loopback server on an ephemeral port; `route` handles each request with access to
 * the server's objects and faults.
 */
export async function startObjectServer(
  route: (
    server: ObjectServer,
    request: IncomingMessage,
    url: URL,
    response: ServerResponse,
  ) => void,
): Promise<ObjectServer> {
  let http: Server | undefined;
  const state = {
    url: "",
    objects: new Map<string, Buffer>(),
    faults: new Map<string, Fault[]>(),
    requests: [] as string[],
    close: () =>
      new Promise<void>((resolve, reject) => {
        http?.closeAllConnections();
        http?.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  http = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    state.requests.push(`${request.method} ${url.pathname}${url.search}`);
    route(state, request, url, response);
  });
  await new Promise<void>((resolve) => http?.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return state;
}
