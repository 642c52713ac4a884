import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The folder the Pulumi project keeps its stack files in (`stackConfigDir`). */
export const STACKS_DIR = path.resolve(__dirname, "../../stacks");

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/** One `config:` map of a stack file, values as the YAML holds them (strings or objects). */
export type StackFileConfig = Record<string, unknown>;

/** A stack to run: its name and its config in `pulumi.runtime.allConfig()` form. */
export interface StackVariant {
  /** The shipped stack it comes from. */
  stack: string;
  /** What was changed, for messages (`as shipped` for the file itself). */
  variant: string;
  /** Raw config: `namespace:key` → string (objects JSON-encoded), as the CLI passes it. */
  raw: Record<string, string>;
}

/** Every shipped stack: each `stacks/Pulumi.<stack>.yaml`, found by listing the folder. */
export function shippedStacks(): string[] {
  return readdirSync(STACKS_DIR)
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The `config:` map of `stacks/Pulumi.<stack>.yaml`. */
export function stackFileConfig(stack: string): StackFileConfig {
  const file = path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as { config?: StackFileConfig };
  if (!document?.config) throw new Error(`${file} has no config: section`);
  return document.config;
}

/** A config map in the form the Pulumi CLI hands a program: objects become JSON text. */
export function rawConfig(config: StackFileConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** A deep copy of a config map with `change` applied to it. */
export function changedConfig(
  config: StackFileConfig,
  change: (copy: StackFileConfig) => void,
): StackFileConfig {
  const copy = structuredClone(config);
  change(copy);
  return copy;
}
