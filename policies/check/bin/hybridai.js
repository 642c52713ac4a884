#!/usr/bin/env node
// The `hybridai` command from this repository's sources (`npm run check`): tsx's CommonJS loader
// (esbuild transpilation, no type check) runs them, and the Pulumi programs they check, directly.
// The published package runs the compiled dist/policies/check/src/bin.js instead.
require("tsx/cjs/api").register();
require("../src/bin.ts");
