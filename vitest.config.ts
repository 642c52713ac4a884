import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^pulumi-hybridai\/testing$/,
        replacement: path.resolve(__dirname, "components/testing/index.ts"),
      },
      { find: /^pulumi-hybridai$/, replacement: path.resolve(__dirname, "components/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
