import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ModelRepository } from "./model-repository";
import { listModelNames, modelDirectory } from "./scan";

/** Files of one model directory looked at, at most: a fingerprint never walks an unbounded tree. */
const MAX_FILES = 10_000;
/** Directory levels below the model directory looked at (`<version>/model.onnx` is level 2). */
const MAX_DEPTH = 3;

/**
 * What a model directory holds, as one string: each file's path, size and modification time
 * (nanoseconds), sorted. A change of any file, or a file added or removed, changes it.
 */
async function fingerprintOf(directory: string): Promise<string> {
  const lines: string[] = [];
  const pending: { dir: string; depth: number }[] = [{ dir: directory, depth: 1 }];
  while (pending.length > 0 && lines.length < MAX_FILES) {
    const { dir, depth } = pending.pop() as { dir: string; depth: number };
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) pending.push({ dir: file, depth: depth + 1 });
        continue;
      }
      const info = await stat(file, { bigint: true }).catch(() => undefined);
      if (!info) continue;
      lines.push(`${path.relative(directory, file)}:${info.size}:${info.mtimeNs}`);
    }
  }
  return lines.sort().join("\n");
}

/** What a {@link RepositoryPoller} works with. */
export interface RepositoryPollerOptions {
  /** The models. */
  repository: ModelRepository;
  /** Time between two reads of the repository, in ms. */
  intervalMs: number;
  /** Logger. */
  logger: Logger;
  /** Runs a load or unload as work the drain waits for. */
  track<T>(work: () => Promise<T>): Promise<T>;
  /** Called after a read that loaded, reloaded or unloaded a model. */
  onChanged?: () => void;
}

/**
 * `--model-control-mode poll`: re-reads the model repository every interval, as Triton's poll
 * mode does. A model directory that appeared is loaded, one whose files changed is reloaded (a
 * reload that fails keeps the versions serving), one that disappeared is unloaded. A read starts
 * only after the previous one has finished.
 */
export class RepositoryPoller {
  private fingerprints = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private stopped = false;

  /** @param options repository, interval, logger and drain tracking */
  constructor(private readonly options: RepositoryPollerOptions) {}

  /** Records what the repository holds now: call before the initial load, then {@link start}. */
  async remember(): Promise<void> {
    this.fingerprints = await this.read();
  }

  /** Starts reading the repository every interval. */
  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.reading = this.poll()
        .catch((error: Error) =>
          this.options.logger.warn({ err: error }, "reading the model repository failed"),
        )
        .finally(() => {
          this.reading = undefined;
          this.start();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops polling; resolves once a read in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.reading;
  }

  private async read(): Promise<Map<string, string>> {
    const { root } = this.options.repository;
    const names = await listModelNames(root).catch(() => []);
    const current = new Map<string, string>();
    for (const name of names) {
      current.set(name, await fingerprintOf(modelDirectory(root, name)));
    }
    return current;
  }

  private async poll(): Promise<void> {
    const { repository, logger, track } = this.options;
    const current = await this.read();
    let changed = false;
    for (const [name, fingerprint] of current) {
      const known = this.fingerprints.get(name);
      if (known === fingerprint || this.stopped) continue;
      logger.info({ model: name }, known === undefined ? "model added" : "model files changed");
      await track(() => repository.load(name)).catch(() => undefined);
      changed = true;
    }
    for (const name of this.fingerprints.keys()) {
      if (current.has(name) || this.stopped) continue;
      logger.info({ model: name }, "model removed from the repository");
      if (repository.versionsOf(name).length > 0) {
        await track(() => repository.unload(name)).catch(() => undefined);
      }
      changed = true;
    }
    this.fingerprints = current;
    if (changed) this.options.onChanged?.();
  }
}
