#!/usr/bin/env node
import { main } from "./cli";

// The `hybridai` command: `hybridai check …` (see cli.ts). Shipped compiled as the package's bin.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hybridai: ${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
