// Mutation testing of the serving runtime's core (`npm run test:mutation`, first half). Stryker
// makes one small change to the code at a time (a mutant) and runs the tests that cover it; a
// mutant no test notices survives. The README's development section has the scores;
// test/mutation-survivors.md lists the survivors that cannot be told apart from the original.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts" },
  mutate: [
    "serving-runtime/src/scheduling/**/*.ts",
    "serving-runtime/src/protocol/**/*.ts",
    "serving-runtime/src/runtime/**/*.ts",
    "serving-runtime/src/resilience/**/*.ts",
  ],
  coverageAnalysis: "perTest",
  // Two test processes: the machine this was written on has two cores.
  concurrency: 2,
  timeoutMS: 20_000,
  dryRunTimeoutMinutes: 30,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/runtime.html" },
  jsonReporter: { fileName: "reports/mutation/runtime.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
};
