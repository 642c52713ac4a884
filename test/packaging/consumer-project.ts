import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

/** The module-resolution settings a consumer project may use, with the compiler options of each. */
export const RESOLUTIONS = {
  // Pulumi's default TypeScript template: CommonJS with `"moduleResolution": "node"` (= node10).
  node10: { module: "commonjs", moduleResolution: "node10", files: ["index.ts"] },
  // Node's own resolution, from a CommonJS file and from an ES module file.
  node16: { module: "node16", moduleResolution: "node16", files: ["index.ts", "esm.mts"] },
  // Bundlers (esbuild, Vite, webpack) and tsx.
  bundler: { module: "esnext", moduleResolution: "bundler", files: ["index.ts"] },
} as const;

/** One of {@link RESOLUTIONS}. */
export type Resolution = keyof typeof RESOLUTIONS;

// What a user writes: both entry points, a component, a type, and the testing kit. The last
// line must fail to type-check; `@ts-expect-error` proves the types are real, not `any`.
const COMMONJS_PROGRAM = `import type * as pulumi from "@pulumi/pulumi";
import { type AcceleratorSpec, aws, HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";

const accelerator: AcceleratorSpec = { type: "nvidia-l4", count: 1 };
export const mocks = installMocks();
export const check = validateKubernetesObjects;
export function pool(cluster: aws.EksCluster): aws.SpotFleet {
  return new aws.SpotFleet("l4", { cluster, accelerator, capacity: { min: 1, max: 2 } });
}
export const url = (service: kubernetes.OnnxService): pulumi.Output<string> => service.url;
export const isConfigError = (e: unknown): boolean => e instanceof HybridAiConfigError;
// @ts-expect-error "nvidia-x1" is not an accelerator type.
export const wrong: AcceleratorSpec = { type: "nvidia-x1" };
`;

const ES_MODULE_PROGRAM = `import { aws } from "pulumi-hybridai";
import { installMocks } from "pulumi-hybridai/testing";

export const mocks = installMocks();
export type Cluster = aws.EksCluster;
`;

/**
 * Lays out a consumer project in `root`:
 *
 * - `root/node_modules` → this repository's `node_modules` (symlink): the package's
 *   dependencies and peers (`@pulumi/*`, `@types/node`) resolve from there, found by Node's
 *   and TypeScript's walk up from the consumer, with no network and no `paths` mapping;
 * - `root/consumer/node_modules/pulumi-hybridai`: where the caller unpacks the tarball;
 * - `root/consumer/tsconfig.<resolution>.json` for each resolution, and the programs.
 *
 * @returns the consumer directory and the directory to unpack the package into.
 */
export async function layOutConsumer(
  root: string,
  repositoryNodeModules: string,
): Promise<{ consumer: string; packageDir: string }> {
  await symlink(repositoryNodeModules, path.join(root, "node_modules"), "dir");
  const consumer = path.join(root, "consumer");
  const packageDir = path.join(consumer, "node_modules", "pulumi-hybridai");
  await mkdir(packageDir, { recursive: true });
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "consumer", version: "1.0.0", private: true }),
    "index.ts": COMMONJS_PROGRAM,
    "esm.mts": ES_MODULE_PROGRAM,
  };
  for (const [name, settings] of Object.entries(RESOLUTIONS)) {
    const { files: entryFiles, ...options } = settings;
    files[`tsconfig.${name}.json`] = JSON.stringify({
      compilerOptions: {
        ...options,
        target: "es2022",
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
      },
      files: entryFiles,
    });
  }
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(consumer, name), text);
  }
  return { consumer, packageDir };
}
