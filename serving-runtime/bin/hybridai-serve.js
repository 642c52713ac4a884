#!/usr/bin/env node
// The `hybridai-serve` command. npm links a package's bins while it installs, before any build,
// and silently skips a bin whose file does not exist yet: pointing `bin` at dist/cli.js left
// `npx hybridai-serve` unlinked. This committed file always exists and starts the compiled CLI.
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");

const cli = path.join(__dirname, "..", "dist", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write(
    "hybridai-serve: the runtime is not built (serving-runtime/dist/cli.js is missing); " +
      "run `npm run build:runtime` in the repository root (npm ci does it too).\n",
  );
  process.exit(1);
}
require(cli);
