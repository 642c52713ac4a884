import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { HttpStatusError } from "./errors";
import type { ObjectStore } from "./store";

/**
 * Reads files below an `https://` base URL with `fetch`. An HTTP server cannot list, so the
 * base must serve a `manifest.json` naming every file.
 */
export class HttpStore implements ObjectStore {
  /**
   * @param baseUrl the base URL without a trailing slash
   * @param uri the source URI, for messages
   */
  constructor(
    private readonly baseUrl: string,
    readonly uri: string,
  ) {}

  async list(): Promise<undefined> {
    return undefined;
  }

  async open(path: string, signal?: AbortSignal): Promise<Readable> {
    const url = `${this.baseUrl}/${path.split("/").map(encodeURIComponent).join("/")}`;
    const answer = await fetch(url, { signal, redirect: "follow" });
    if (!answer.ok || answer.body === null) {
      await answer.body?.cancel();
      throw new HttpStatusError(url, answer.status);
    }
    return Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
  }
}
