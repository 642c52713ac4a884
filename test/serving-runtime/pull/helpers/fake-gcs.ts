import type { ServerResponse } from "node:http";
import { type ObjectServer, sendObject, startObjectServer } from "./object-server";

/** Objects per page of a list answer, small so that the SDK's pagination is exercised. */
const PAGE_SIZE = 2;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/**
 * A loopback server speaking the two Google Cloud Storage JSON API endpoints a read-only client
 * uses: `GET /storage/v1/b/{bucket}/o?prefix=&pageToken=` (list, paginated) and
 * `GET /storage/v1/b/{bucket}/o/{object}?alt=media` (download). Objects are keyed
 * `<bucket>/<name>`; an unknown bucket answers 404 like GCS.
 */
export function startFakeGcs(buckets: readonly string[]): Promise<ObjectServer> {
  return startObjectServer((server, request, url, response) => {
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
      if (url.searchParams.get("alt") !== "media") {
        return sendJson(response, 501, {
          error: { code: 501, message: "metadata GET not implemented" },
        });
      }
      return sendObject(server, `${bucket}/${decodeURIComponent(match[2])}`, response);
    }
    const listFault = server.faults.get(`list:${bucket}`)?.shift();
    if (listFault && "status" in listFault) {
      return sendJson(response, listFault.status, {
        error: { code: listFault.status, message: "scripted" },
      });
    }
    const prefix = url.searchParams.get("prefix") ?? "";
    const names = [...server.objects.keys()]
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
        size: String(server.objects.get(`${bucket}/${name}`)?.length ?? 0),
      })),
      ...(next ? { nextPageToken: next } : {}),
    });
  });
}
