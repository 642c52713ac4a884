import { connect, type Socket } from "node:net";

/**
 * Opens a TCP connection to a server's base URL (`http://host:port`). It stays half-open when
 * the server closes its side, so the client can go on writing as a real uploader would.
 */
export function openSocket(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true }, () =>
      resolve(socket),
    );
    socket.once("error", reject);
  });
}

/** Writes `data`, waiting for the socket to drain; rejects when the connection breaks. */
export function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    socket.once("error", onError);
    const flushed = socket.write(data, (error) => {
      socket.off("error", onError);
      if (error) reject(error);
      else if (flushed) resolve();
    });
    if (!flushed) socket.once("drain", resolve);
  });
}

/** Everything the server sends until it closes its side (or an error ends the connection). */
export function readUntilClosed(socket: Socket): Promise<{ text: string; error?: Error }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const text = () => Buffer.concat(chunks).toString();
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", (error) => resolve({ text: text(), error }));
    socket.once("end", () => resolve({ text: text() }));
    socket.once("close", () => resolve({ text: text() }));
  });
}

/** Resolves with the first chunk the server sends. */
export function firstChunk(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("data", (chunk: Buffer) => resolve(chunk.toString()));
    socket.once("error", reject);
  });
}

/** The status code and JSON body of one raw HTTP/1.1 response text. */
export function parseResponse(text: string): { status: number; headers: string; body: string } {
  const end = text.indexOf("\r\n\r\n");
  const head = text.slice(0, end);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    headers: head.toLowerCase(),
    body: text.slice(end + 4),
  };
}

/** One parsed HTTP response read from a kept-alive connection. */
export interface RawResponse {
  /** Status code. */
  status: number;
  /** Header block, lower-cased. */
  headers: string;
  /** Body text. */
  body: string;
}

/**
 * Reads exactly one response (headers and a `Content-Length` body) from a connection that may
 * carry more, and rejects when the connection closes or breaks first.
 */
export function readResponse(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString().toLowerCase();
      if (head.startsWith("http/1.1 100")) {
        buffered = buffered.subarray(end + 4);
        return;
      }
      const length = Number(/content-length: (\d+)/.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      cleanup();
      resolve({
        status: Number(head.slice(9, 12)),
        headers: head,
        body: buffered.subarray(end + 4, end + 4 + length).toString(),
      });
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`connection closed before a full response: ${buffered.toString()}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
  });
}

/** Resolves once the server has closed the connection (its FIN or a reset). */
export function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readableEnded || socket.destroyed) return resolve();
    socket.once("end", () => resolve());
    socket.once("close", () => resolve());
    socket.resume();
  });
}
