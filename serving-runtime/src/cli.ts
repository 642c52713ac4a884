#!/usr/bin/env node
import pino from "pino";
import { curlExample } from "./curl-example";
import { OptionsError, parseCommandLine, usage } from "./options";
import type { RunningServer } from "./server";

function printReady(server: RunningServer): void {
  const ready = server.repository.latestVersions();
  const lines = [`hybridai-serve listening on ${server.url}`];
  if (ready.length === 0) {
    lines.push("No model is ready; see the log above and POST /v2/repository/index.");
  } else {
    lines.push(
      `Models ready: ${ready.map((v) => `${v.signature.name} (v${v.signature.version})`).join(", ")}`,
    );
    lines.push("Try an inference:", `  ${curlExample(server.url, ready[0].signature)}`);
  }
  process.stdout.write(`\n${lines.join("\n")}\n\n`);
}

async function main(): Promise<number | undefined> {
  if (process.argv[2] === "pull") {
    const { runPullCommand } = await import("./pull");
    return runPullCommand(process.argv.slice(3));
  }
  let command: ReturnType<typeof parseCommandLine>;
  try {
    command = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`hybridai-serve: ${error.message}\n\n${usage()}\n`);
    return 2;
  }
  if (command.kind === "help") {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const { options } = command;
  // Synchronous writes: pino's asynchronous default flushes at exit in a loop that never ends
  // when stdout's reader is gone (EPIPE), which left a drained server hanging instead of exiting.
  const logger = pino(
    { level: options.logLevel, base: { service: "hybridai-serve" } },
    pino.destination({ dest: 1, sync: true }),
  );
  let server: RunningServer;
  try {
    const { startServer } = await import("./server");
    server = await startServer(options, logger);
  } catch (error) {
    process.stderr.write(`hybridai-serve: ${(error as Error).message}\n`);
    return 1;
  }
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    const graceMs = signal === "SIGTERM" ? options.drainGraceSeconds * 1000 : 0;
    void server.shutdown(options.drainTimeoutSeconds * 1000, graceMs).then(
      (drained) => process.exit(drained ? 0 : 1),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  printReady(server);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`hybridai-serve: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  },
);
