import { parseArgs } from "node:util";
import { type CommandIo, catchInterrupts, processIo, wholeNumber } from "../pull/command-kit";
import { messageOf } from "../pull/errors";
import { MANIFEST_NAME } from "../pull/manifest";
import { SOURCE_FORMS } from "../pull/source-uri";
import { syncModelVersion } from "./sync";

/** Usage text of `hybridai-serve sync`. */
export const SYNC_USAGE = `Usage: hybridai-serve sync --from <uri> --to <s3://…|gs://…> [--concurrency N] [--attempts N]

Copies the model version at <from> (the files its ${MANIFEST_NAME} lists, then the manifest) to a
second store, each file verified by SHA-256; files already there with the right SHA-256 are
skipped, and the manifest is written last, so readers of <to> see the old version or the new one.
  --from         ${SOURCE_FORMS}; must hold ${MANIFEST_NAME}
  --to           s3://bucket/prefix or gs://bucket/prefix
  --concurrency  files copied at once (default 4)
  --attempts     attempts per request and file for transient errors (default 5)
Credentials come from the environment only, for both clouds (AWS SDK default chain, Google
Application Default Credentials). Files are staged in $TMPDIR between download and upload.`;

/**
 * Runs `hybridai-serve sync` with the arguments after `sync` and returns the exit code: 0 on
 * success, 2 for bad arguments, 1 when the sync failed (the target keeps its previous
 * manifest), 130/143 when interrupted by SIGINT/SIGTERM.
 */
export async function runSyncCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let from: string;
  let to: string;
  let concurrency: number | undefined;
  let attempts: number | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        concurrency: { type: "string" },
        attempts: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.out(SYNC_USAGE);
      return 0;
    }
    if (!values.from) throw new Error("--from is required");
    if (!values.to) throw new Error("--to is required");
    from = values.from;
    to = values.to;
    concurrency = wholeNumber("concurrency", values.concurrency, { min: 1, max: 64 });
    attempts = wholeNumber("attempts", values.attempts, { min: 1, max: 20 });
  } catch (error) {
    io.err(`hybridai-serve sync: ${messageOf(error)}\n\n${SYNC_USAGE}`);
    return 2;
  }
  const interrupts = catchInterrupts();
  const started = Date.now();
  try {
    const result = await syncModelVersion({
      from,
      to,
      concurrency,
      retry: { attempts },
      signal: interrupts.signal,
      log: (line) => io.err(`hybridai-serve sync: ${line}`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(
      `hybridai-serve sync: version ${result.version.slice(0, 12)} from ${from} to ${to}: ${result.copied} of ${result.files} files copied (${result.bytesCopied} bytes), ${result.skipped} already there, manifest ${result.manifest}, in ${seconds} s`,
    );
    return 0;
  } catch (error) {
    io.err(
      `hybridai-serve sync: failed: ${messageOf(error)}; ${to} still serves its previous manifest`,
    );
    return interrupts.exitCode() ?? 1;
  } finally {
    interrupts.release();
  }
}
