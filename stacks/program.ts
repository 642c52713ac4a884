import type * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "./config";
import type { PlannedCluster, StackContext, StackSection } from "./section";

/**
 * The stack program: validates the whole config first, checks each section against the clusters
 * the cluster sections plan (before anything is created), then deploys each present section in
 * order (clusters before what runs on them) and returns every section's outputs under its key.
 */
export function runStack(
  rawConfig: Readonly<Record<string, string>>,
  sections: readonly StackSection<unknown>[],
): Record<string, Record<string, pulumi.Input<unknown>>> {
  const config = validateStackConfig(rawConfig, sections);
  const present = sections.filter((section) => config.has(section.key));
  const planned = new Map<string, PlannedCluster>();
  for (const section of present) {
    for (const [name, cluster] of Object.entries(
      section.plannedClusters?.(config.get(section.key)) ?? {},
    )) {
      planned.set(name, cluster);
    }
  }
  for (const section of present) section.preflight?.(config.get(section.key), planned);
  const context: StackContext = { clusters: new Map() };
  const outputs: Record<string, Record<string, pulumi.Input<unknown>>> = {};
  for (const section of sections) {
    if (config.has(section.key))
      outputs[section.key] = section.deploy(config.get(section.key), context);
  }
  return outputs;
}
