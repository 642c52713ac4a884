import { availableParallelism } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

// npm runs scripts from the package root, so paths resolve against it.
const root = (file: string) => path.resolve(file);

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^pulumi-hybridai\/testing$/,
        replacement: root("components/testing/index.ts"),
      },
      { find: /^pulumi-hybridai$/, replacement: root("components/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Each test file in a fresh child process (Pulumi's mocks keep one global store a process),
    // as many at once as there are cores: vitest's default of cores - 1 left one of two cores idle.
    pool: "forks",
    reporters: ["default", "./test/reporters/skipped-tests.ts"],
    maxWorkers: availableParallelism(),
    // Builds the serving runtime once, before any file, when dist/ is older than its sources.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    // The AWS SDK warns once per process (S3 pulls) that its 2027 releases need Node 22: an
    // advisory, not a failure, that would otherwise print into every passing run on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
  },
});
