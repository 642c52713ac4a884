#!/usr/bin/env node
// The `hybridai` command (`hybridai check …`). Its sources, and the Pulumi programs it checks, are
// TypeScript: tsx's CommonJS loader (esbuild transpilation, no type check) runs them directly.
require("tsx/cjs/api").register();

require("../src/cli.ts")
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`hybridai: ${error?.stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
