import type * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "./config";
import type { StackContext, StackSection } from "./section";

/**
 * The stack program: validates the whole config first, then deploys each present section in
 * order (clusters before what runs on them) and returns every section's outputs under its key.
 */
export function runStack(
  rawConfig: Readonly<Record<string, string>>,
  sections: readonly StackSection<unknown>[],
): Record<string, Record<string, pulumi.Input<unknown>>> {
  const config = validateStackConfig(rawConfig, sections);
  const context: StackContext = { clusters: new Map() };
  const outputs: Record<string, Record<string, pulumi.Input<unknown>>> = {};
  for (const section of sections) {
    if (config.has(section.key))
      outputs[section.key] = section.deploy(config.get(section.key), context);
  }
  return outputs;
}
