import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** A loopback HTTPS server with a certificate made for the test (CN and SAN 127.0.0.1). */
export interface LocalHttps {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** The certificate, PEM: a client trusts the server through it (`NODE_EXTRA_CA_CERTS`). */
  certificateFile: string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts an HTTPS server on loopback with a fresh self-signed certificate (made by `openssl`,
 * valid one day), answering every request with `route`.
 */
export async function startLocalHttps(
  route: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LocalHttps> {
  const directory = await mkdtemp(path.join(tmpdir(), "hybridai-tls-"));
  const key = path.join(directory, "key.pem");
  const cert = path.join(directory, "cert.pem");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  const requests: string[] = [];
  const server: Server = createServer(
    { key: await readFile(key), cert: await readFile(cert) },
    (request, response) => {
      requests.push(`${request.method} ${request.url}`);
      route(request, response);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certificateFile: cert,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
