#!/usr/bin/env node
import path from "node:path";
import pino from "pino";
import { startupBanner } from "./banner";
import { OptionsError, parseCommandLine, type ServerOptions, usage } from "./options";
import type { RunningServer } from "./server";

async function printReady(server: RunningServer, options: ServerOptions): Promise<void> {
  const ready = server.repository.latestVersions().map((version) => version.signature);
  const index = await server.repository.index(false);
  process.stdout.write(
    startupBanner({
      url: server.url,
      ready,
      index,
      strictReadiness: options.strictReadiness,
      grpcAddress: server.grpc?.address,
      modelControlMode: options.modelControlMode,
      command: `node ${path.relative(process.cwd(), process.argv[1]) || process.argv[1]}`,
    }),
  );
}

async function main(): Promise<number | undefined> {
  if (process.argv[2] === "pull") {
    const { runPullCommand } = await import("./pull");
    return runPullCommand(process.argv.slice(3));
  }
  if (process.argv[2] === "profile") {
    const { runProfileCommand } = await import("./observability/profile-command");
    return runProfileCommand(process.argv.slice(3));
  }
  if (process.argv[2] === "sync") {
    const { runSyncCommand } = await import("./sync");
    return runSyncCommand(process.argv.slice(3));
  }
  if (process.argv[2] === "example") {
    const { runExampleCommand } = await import("./example-command");
    return runExampleCommand(process.argv.slice(3));
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
  await printReady(server, options);
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
