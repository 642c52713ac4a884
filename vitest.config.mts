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
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
