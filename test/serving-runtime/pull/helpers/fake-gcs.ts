import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CRC32C } from "@google-cloud/storage";
import { type ObjectServer, sendObject, startObjectServer } from "./object-server";

/** The fake GCS server: objects, faults and requests, plus each object's custom metadata. */
export interface FakeGcs extends ObjectServer {
  /** Custom metadata (`metadata.metadata` in the JSON API) by full name `<bucket>/<name>`. */
  readonly metadata: Map<string, Record<string, string>>;
}

/** Objects per page of a list answer, small so that the SDK's pagination is exercised. */
const PAGE_SIZE = 2;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Base64 of the big-endian CRC32C, as GCS reports it. */
function crc32cOf(content: Buffer): string {
  const crc = new CRC32C();
  crc.update(content);
  return crc.toString();
}

/** The JSON API's object resource for a stored object. */
function resource(gcs: FakeGcs, bucket: string, name: string, content: Buffer) {
  const metadata = gcs.metadata.get(`${bucket}/${name}`);
  return {
    kind: "storage#object",
    bucket,
    name,
    size: String(content.length),
    generation: "1",
    contentType: "application/octet-stream",
    md5Hash: createHash("md5").update(content).digest("base64"),
    crc32c: crc32cOf(content),
    ...(metadata ? { metadata } : {}),
  };
}

/** Splits a `multipart/related` body into its parts' bodies. */
function multipartBodies(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    parts.push(part.subarray(part.indexOf("\r\n\r\n") + 4));
    start = next;
  }
  return parts;
}

/**
 * Stores a single-request (`uploadType=multipart`) upload once its whole body has arrived; a
 * request that breaks off stores nothing, like GCS. Faults are scripted under
 * `upload:<bucket>/<name>` (a status, or `drop` to cut the connection instead of answering).
 */
function receiveUpload(
  gcs: FakeGcs,
  bucket: string,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const name = url.searchParams.get("name") ?? "";
    const fault = gcs.faults.get(`upload:${bucket}/${name}`)?.shift();
    if (fault && "status" in fault) {
      return sendJson(response, fault.status, {
        error: { code: fault.status, message: "scripted" },
      });
    }
    if (fault) {
      request.socket.destroy();
      return;
    }
    const [metadataPart, media] = multipartBodies(
      Buffer.concat(chunks),
      request.headers["content-type"] ?? "",
    );
    if (!metadataPart || !media) {
      return sendJson(response, 400, { error: { code: 400, message: "bad multipart body" } });
    }
    const metadata = JSON.parse(metadataPart.toString("utf8")) as {
      metadata?: Record<string, string>;
    };
    gcs.objects.set(`${bucket}/${name}`, media);
    if (metadata.metadata) gcs.metadata.set(`${bucket}/${name}`, metadata.metadata);
    else gcs.metadata.delete(`${bucket}/${name}`);
    sendJson(response, 200, resource(gcs, bucket, name, media));
  });
}

/**
 * A loopback server speaking the Google Cloud Storage JSON API endpoints the pull and sync use:
 * `GET /storage/v1/b/{bucket}/o?prefix=&pageToken=` (list, paginated),
 * `GET /storage/v1/b/{bucket}/o/{object}` (metadata) and `…?alt=media` (download), and
 * `POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart&name=` (single-request upload; also
 * under `/storage/v1`, where the SDK sends it when `STORAGE_EMULATOR_HOST` ends in
 * `/storage/v1`). Objects are keyed `<bucket>/<name>`; an unknown bucket answers 404 like GCS.
 */
export async function startFakeGcs(buckets: readonly string[]): Promise<FakeGcs> {
  const metadata = new Map<string, Record<string, string>>();
  const server = await startObjectServer((state, request, url, response) => {
    const gcs = Object.assign(state, { metadata });
    const upload = /^(?:\/storage\/v1)?\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (request.method === "POST" && upload && url.searchParams.get("uploadType") === "multipart") {
      if (!buckets.includes(decodeURIComponent(upload[1]))) {
        return sendJson(response, 404, {
          error: { code: 404, message: "The specified bucket does not exist." },
        });
      }
      return receiveUpload(gcs, decodeURIComponent(upload[1]), url, request, response);
    }
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (request.method !== "GET" || !match) {
      return sendJson(response, 501, { error: { code: 501, message: "not implemented" } });
    }
    const bucket = decodeURIComponent(match[1]);
    if (!buckets.includes(bucket)) {
      return sendJson(response, 404, {
        error: { code: 404, message: "The specified bucket does not exist." },
      });
    }
    if (match[2] !== undefined) {
      const name = decodeURIComponent(match[2]);
      if (url.searchParams.get("alt") === "media") {
        return sendObject(gcs, `${bucket}/${name}`, response);
      }
      const content = gcs.objects.get(`${bucket}/${name}`);
      if (content === undefined) {
        return sendJson(response, 404, {
          error: { code: 404, message: `No such object: ${name}` },
        });
      }
      return sendJson(response, 200, resource(gcs, bucket, name, content));
    }
    const listFault = gcs.faults.get(`list:${bucket}`)?.shift();
    if (listFault && "status" in listFault) {
      return sendJson(response, listFault.status, {
        error: { code: listFault.status, message: "scripted" },
      });
    }
    const prefix = url.searchParams.get("prefix") ?? "";
    const names = [...gcs.objects.keys()]
      .filter((key) => key.startsWith(`${bucket}/${prefix}`))
      .map((key) => key.slice(bucket.length + 1))
      .sort();
    const start = Number(url.searchParams.get("pageToken") ?? 0);
    const page = names.slice(start, start + PAGE_SIZE);
    const next = start + PAGE_SIZE < names.length ? String(start + PAGE_SIZE) : undefined;
    sendJson(response, 200, {
      kind: "storage#objects",
      items: page.map((name) => ({
        kind: "storage#object",
        bucket,
        name,
        size: String(gcs.objects.get(`${bucket}/${name}`)?.length ?? 0),
      })),
      ...(next ? { nextPageToken: next } : {}),
    });
  });
  return Object.assign(server, { metadata });
}
