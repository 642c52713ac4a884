import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { HttpStatusError, PullError } from "./errors";
import type { ObjectStore } from "./store";

/** Redirects followed for one object, at most. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Reads files below an `https://` base URL with `fetch`. An HTTP server cannot list, so the
 * base must serve a `manifest.json` naming every file. Redirects are followed only within the
 * base URL's scheme and host (and port), at most {@link MAX_REDIRECTS} of them: a redirect to
 * another host, or from https to http, would have the pull trust a manifest, or write files,
 * that the source's owner did not serve.
 */
export class HttpStore implements ObjectStore {
  private readonly origin: string;

  /**
   * @param baseUrl the base URL without a trailing slash
   * @param uri the source URI, for messages
   */
  constructor(
    private readonly baseUrl: string,
    readonly uri: string,
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  async list(): Promise<undefined> {
    return undefined;
  }

  async open(path: string, signal?: AbortSignal): Promise<Readable> {
    let url = `${this.baseUrl}/${path.split("/").map(encodeURIComponent).join("/")}`;
    for (let hops = 0; ; hops++) {
      const answer = await fetch(url, { signal, redirect: "manual" });
      if (REDIRECT_STATUSES.has(answer.status)) {
        await answer.body?.cancel();
        url = this.redirectTarget(url, answer.headers.get("location"), hops);
        continue;
      }
      if (!answer.ok || answer.body === null) {
        await answer.body?.cancel();
        throw new HttpStatusError(url, answer.status);
      }
      return Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
    }
  }

  /** Where a redirect answer sends `url`, when it stays within the source; throws otherwise. */
  private redirectTarget(url: string, location: string | null, hops: number): string {
    if (location === null) {
      throw new PullError(`${this.uri}: GET ${url} answered a redirect without a Location`);
    }
    const target = new URL(location, url);
    if (target.origin !== this.origin) {
      throw new PullError(
        `${this.uri}: GET ${url} redirected to ${target.href}; pull follows redirects only within ${this.origin} (the same scheme and host), never to another host or from https to http`,
      );
    }
    if (hops >= MAX_REDIRECTS) {
      throw new PullError(`${this.uri}: GET ${url} redirected more than ${MAX_REDIRECTS} times`);
    }
    return target.href;
  }
}
