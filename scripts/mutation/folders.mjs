// The folders `npm run test:mutation` checks, each with the tests Stryker runs against its
// mutants. Stryker and vitest both read this table (stryker.config.mjs, vitest.mutation.config.mts)
// for the folder named in HYBRIDAI_MUTATION_FOLDER; scripts/mutation/run.mjs runs them in turn.

/**
 * @typedef {object} MutationFolder
 * @property {string[]} mutate source files Stryker mutates
 * @property {string[]} tests vitest `include` globs: the tests that exercise those files in-process
 * @property {string[]} [exclude] vitest `exclude` globs among those
 */

/** @type {Record<string, MutationFolder>} */
export const MUTATION_FOLDERS = {
  scheduling: {
    mutate: ["serving-runtime/src/scheduling/**/*.ts"],
    // The unit tests on a hand-driven clock. The HTTP batching tests (batcher, batch-config) wait
    // seconds of queue delay whenever a mutant stops a batch leaving early, for nothing these
    // do not already catch.
    tests: [
      "test/serving-runtime/scheduling/scheduler*.test.ts",
      "test/serving-runtime/scheduling/clock.test.ts",
      "test/serving-runtime/scheduling/tensor-batch.test.ts",
    ],
  },
  protocol: {
    mutate: ["serving-runtime/src/protocol/**/*.ts"],
    // The in-process codec and request-decoding tests. The HTTP tests of the same paths
    // (test/serving-runtime/http/binary-tensors, infer-datatypes, infer-errors, hostile-input)
    // start a server with its models for every mutant they cover: ~2 s a mutant, ~50 min a run.
    tests: ["test/serving-runtime/protocol/**/*.test.ts"],
  },
  runtime: {
    mutate: ["serving-runtime/src/runtime/**/*.ts"],
    tests: ["test/serving-runtime/runtime/**/*.test.ts"],
  },
  resilience: {
    mutate: ["serving-runtime/src/resilience/**/*.ts"],
    // remote-fallback.test.ts runs the compiled CLI (dist/, never mutated) in child processes.
    tests: ["test/serving-runtime/resilience/**/*.test.ts"],
    exclude: ["test/serving-runtime/resilience/remote-fallback.test.ts"],
  },
  accelerators: {
    mutate: ["components/accelerators/**/*.ts"],
    tests: ["test/components/accelerators/**/*.test.ts"],
  },
};

/**
 * The folder named by HYBRIDAI_MUTATION_FOLDER.
 *
 * @returns {{ name: string } & MutationFolder}
 */
export function selectedFolder() {
  const name = process.env.HYBRIDAI_MUTATION_FOLDER ?? "";
  const folder = MUTATION_FOLDERS[name];
  if (!folder) {
    throw new Error(
      `HYBRIDAI_MUTATION_FOLDER is "${name}"; allowed: ${Object.keys(MUTATION_FOLDERS).join(", ")} (npm run test:mutation [-- <folder>...] sets it)`,
    );
  }
  return { name, ...folder };
}
