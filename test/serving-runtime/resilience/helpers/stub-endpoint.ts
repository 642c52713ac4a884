import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";

/** One request a stub endpoint received. */
export interface ReceivedRequest {
  /** Request path. */
  url: string;
  /** Request headers. */
  headers: IncomingHttpHeaders;
  /** Request body. */
  body: Buffer;
}

/** A plain HTTP server standing in for a remote endpoint, recording what it receives. */
export interface StubEndpoint {
  /** Base URL. */
  url: string;
  /** Every request received so far, in order. */
  received: ReceivedRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** What the stub answers: status, headers and body. */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    });
  });
}

/** Starts a stub endpoint answering every request with `answer(request)`. */
export async function startStubEndpoint(
  answer: (request: ReceivedRequest) => StubAnswer,
): Promise<StubEndpoint> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      received.push(entry);
      const { status, headers, body } = answer(entry);
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(body);
    });
  });
  const url = await listen(server);
  return {
    url,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never answers: a remote endpoint that hangs. */
export async function startSilentEndpoint(): Promise<{
  url: string;
  connections(): number;
  close(): Promise<void>;
}> {
  const sockets: Socket[] = [];
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.push(socket);
    socket.on("error", () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (it was free a moment ago): a remote endpoint that is down. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
