import { createReadStream } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { PullError } from "./errors";
import type { ObjectStore, RemoteObject } from "./store";

/**
 * Reads a local directory (`file:///path`), e.g. a volume baked into a node image or mounted
 * read-only. Symbolic links are refused so that nothing outside the directory is read.
 */
export class FileStore implements ObjectStore {
  /**
   * @param directory absolute path of the source directory
   * @param uri the source URI, for messages
   */
  constructor(
    private readonly directory: string,
    readonly uri: string,
  ) {}

  async list(): Promise<RemoteObject[]> {
    const root = await lstat(this.directory).catch(() => undefined);
    if (!root?.isDirectory()) {
      throw new PullError(`${this.uri}: ${this.directory} is not a directory`);
    }
    const objects: RemoteObject[] = [];
    const walk = async (relative: string): Promise<void> => {
      const entries = await readdir(path.join(this.directory, relative), { withFileTypes: true });
      for (const entry of entries) {
        const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await walk(child);
        else if (entry.isFile()) {
          const stats = await lstat(path.join(this.directory, child));
          objects.push({ path: child, size: stats.size });
        } else {
          throw new PullError(
            `${this.uri}: "${child}" is not a regular file or directory (symbolic links and devices are refused)`,
          );
        }
      }
    };
    await walk("");
    return objects;
  }

  async open(relative: string): Promise<Readable> {
    const full = path.join(this.directory, ...relative.split("/"));
    const stats = await lstat(full).catch(() => undefined);
    if (!stats?.isFile()) {
      throw new PullError(`${this.uri}: "${relative}" is not a regular file in ${this.directory}`);
    }
    return createReadStream(full);
  }
}
