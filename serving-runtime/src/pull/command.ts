import { parseArgs } from "node:util";
import { type CommandIo, catchInterrupts, processIo, wholeNumber } from "./command-kit";

export type { CommandIo } from "./command-kit";

import { messageOf } from "./errors";
import { MANIFEST_NAME } from "./manifest";
import { pullModelRepository } from "./pull";
import { SOURCE_FORMS } from "./source-uri";

/** Usage text of `hybridai-serve pull`. */
export const PULL_USAGE = `Usage: hybridai-serve pull --from <uri> [--from <uri> …] --to <dir>
                           [--cache-dir <dir> [--cache-keep N]] [--concurrency N] [--attempts N]

Lays a model repository from an object store into <dir>, all or nothing.
  --from         ${SOURCE_FORMS};
                 repeat it to name fallbacks, tried in order: the first source pulled
                 completely and verified wins
  --to           target directory (e.g. /models); created when missing
  --cache-dir    device cache (e.g. a hostPath): each version is downloaded once, checked by
                 the SHA-256 of ${MANIFEST_NAME} (required at the source), and laid from it;
                 when no source can be pulled from, the newest complete cached version
                 is laid with a warning (exit 0)
  --cache-keep   versions kept in the cache per source (default 2)
  --concurrency  files downloaded at once (default 4)
  --attempts     attempts per object for transient errors (default 5)
Credentials come from the environment only (IRSA, EKS Pod Identity, GKE Workload Identity,
instance metadata). Sizes are always verified; SHA-256 too when <uri>/${MANIFEST_NAME} exists.`;

/**
 * Runs `hybridai-serve pull` with the arguments after `pull` and returns the exit code: 0 on
 * success, 2 for bad arguments, 1 when the pull failed, 130/143 when interrupted by
 * SIGINT/SIGTERM (the staging directory is removed first).
 */
export async function runPullCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: {
    from?: string[];
    to?: string;
    "cache-dir"?: string;
    "cache-keep"?: number;
    concurrency?: number;
    attempts?: number;
    help?: boolean;
  };
  try {
    const parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: "string", multiple: true },
        to: { type: "string" },
        "cache-dir": { type: "string" },
        "cache-keep": { type: "string" },
        concurrency: { type: "string" },
        attempts: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
    values = {
      ...parsed,
      "cache-keep": wholeNumber("cache-keep", parsed["cache-keep"]),
      concurrency: wholeNumber("concurrency", parsed.concurrency),
      attempts: wholeNumber("attempts", parsed.attempts),
    };
    if (values.help) {
      io.out(PULL_USAGE);
      return 0;
    }
    if (!values.from?.length) throw new Error("--from is required");
    if (!values.to) throw new Error("--to is required");
    if (values.attempts !== undefined && (values.attempts < 1 || values.attempts > 20)) {
      throw new Error(`--attempts ${values.attempts} is out of range; use 1 to 20`);
    }
    const keep = values["cache-keep"];
    if (keep !== undefined && (keep < 1 || keep > 100)) {
      throw new Error(`--cache-keep ${keep} is out of range; use 1 to 100`);
    }
    if (keep !== undefined && values["cache-dir"] === undefined) {
      throw new Error("--cache-keep needs --cache-dir");
    }
  } catch (error) {
    io.err(`hybridai-serve pull: ${messageOf(error)}\n\n${PULL_USAGE}`);
    return 2;
  }
  const interrupts = catchInterrupts();
  const started = Date.now();
  try {
    const result = await pullModelRepository({
      from: values.from as string[],
      to: values.to,
      cacheDir: values["cache-dir"],
      cacheKeep: values["cache-keep"],
      concurrency: values.concurrency,
      retry: { attempts: values.attempts },
      signal: interrupts.signal,
      log: (line) => io.err(`hybridai-serve pull: ${line}`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const cache = result.cache === undefined ? "" : `, cache: ${result.cache}`;
    io.out(
      `hybridai-serve pull: ${result.files} files, ${result.bytes} bytes from ${result.source} into ${result.target} in ${seconds} s (verified: ${result.verified}${cache})`,
    );
    return 0;
  } catch (error) {
    io.err(`hybridai-serve pull: failed: ${messageOf(error)}; ${values.to} is unchanged`);
    return interrupts.exitCode() ?? 1;
  } finally {
    interrupts.release();
  }
}
