// Mutation testing (`npm run test:mutation`, see scripts/mutation/run.mjs). Stryker makes one
// small change to the code at a time (a mutant) and runs the tests that cover it; a mutant no test
// notices survives. One folder per run, named by HYBRIDAI_MUTATION_FOLDER; the README's
// development section has the scores and test/mutation-survivors.md the equivalent survivors.
import { selectedFolder } from "./scripts/mutation/folders.mjs";

const folder = selectedFolder();

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // The folder's tests are listed in vitest.mutation.config.mts; vitest's related-file search
  // would walk the whole import graph (every provider SDK from the library entry) for nothing.
  vitest: { configFile: "vitest.mutation.config.mts", related: false },
  mutate: folder.mutate,
  coverageAnalysis: "perTest",
  // One test process: CI runners and the machine this was written on have two cores.
  concurrency: 1,
  // A mutant that stops the scheduler dispatching leaves requests waiting; 2.5 s past the
  // covering tests' own time is enough to call it a timeout (detected).
  timeoutMS: 2_500,
  dryRunTimeoutMinutes: 20,
  // Reruns test only mutants whose code or covering tests changed since the last report.
  incremental: true,
  incrementalFile: `reports/mutation/${folder.name}-incremental.json`,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${folder.name}.html` },
  jsonReporter: { fileName: `reports/mutation/${folder.name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: `.stryker-tmp/${folder.name}`,
  // Another folder's run may have its sandbox there at the same time.
  ignorePatterns: [".stryker-tmp"],
  cleanTempDir: "always",
};
