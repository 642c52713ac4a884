import { defineConfig } from "vitest/config";
import { selectedFolder } from "./scripts/mutation/folders.mjs";
import base from "./vitest.config.mts";

// The tests Stryker runs against one folder's mutants (`npm run test:mutation`): those that
// exercise its source in this process (tests spawning the compiled CLI run dist/, never mutated).
const folder = selectedFolder();

export default defineConfig({
  ...base,
  test: { ...base.test, include: folder.tests, exclude: folder.exclude ?? [] },
});
