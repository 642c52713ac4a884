import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { DeployedCluster, StackSection } from "../../stacks/section";

/** The `config:` map of a shipped stack file `stacks/Pulumi.<stack>.yaml`, as the CLI would read it. */
export function loadStackConfig(stack: string): Record<string, string | object> {
  const file = path.join(__dirname, "../../stacks", `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as {
    config?: Record<string, string | object>;
  };
  if (!document?.config) throw new Error(`${file} has no config: section`);
  return document.config;
}

/** Raw stack config (`pulumi.runtime.allConfig()` form) keeping, of the hybridai sections, only `keep`. */
export function withSectionsOnly(
  raw: Readonly<Record<string, string>>,
  keep: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).filter(
      ([key]) => !key.startsWith("hybridai:") || keep.includes(key.slice("hybridai:".length)),
    ),
  );
}

/**
 * A stack section that records the clusters earlier sections registered, as the serving section
 * would find them. Switch it on with `"hybridai:probe": "{}"` in the raw config.
 */
export function clusterProbe(): {
  probe: StackSection<object>;
  seen: Map<string, DeployedCluster>;
} {
  const seen = new Map<string, DeployedCluster>();
  const probe: StackSection<object> = {
    key: "probe",
    summary: "records the clusters earlier sections registered",
    schema: z.strictObject({}),
    deploy(_config, context) {
      for (const [name, cluster] of context.clusters) seen.set(name, cluster);
      return {};
    },
  };
  return { probe, seen };
}
