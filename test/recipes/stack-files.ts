import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** A stack file's `config:` as runProgram takes it (structured values kept as objects). */
export type StackConfigValues = Record<string, string | object>;

function configOf(document: { config?: Record<string, unknown> }): StackConfigValues {
  return Object.fromEntries(
    Object.entries(document.config ?? {}).map(([key, value]) => [
      key,
      typeof value === "object" && value !== null ? value : String(value),
    ]),
  );
}

/** The config of the YAML block of docs/recipes.md whose first line is `firstLine`. */
export function recipeStackConfig(firstLine: string): StackConfigValues {
  const page = readFileSync("docs/recipes.md", "utf8");
  const start = page.indexOf(`\`\`\`yaml\n${firstLine}\n`);
  if (start < 0) throw new Error(`docs/recipes.md has no yaml block starting "${firstLine}"`);
  const text = page.slice(start + "```yaml\n".length, page.indexOf("\n```", start + 1));
  return configOf(parse(text));
}

/** A shipped stack file's config. */
export function shippedStackConfig(stack: string): StackConfigValues {
  return configOf(parse(readFileSync(`stacks/Pulumi.${stack}.yaml`, "utf8")));
}

/** Objects merged key by key (arrays and scalars of `over` replace those of `base`). */
export function overlay(base: unknown, over: unknown): unknown {
  if (
    typeof base !== "object" ||
    base === null ||
    Array.isArray(base) ||
    typeof over !== "object" ||
    over === null ||
    Array.isArray(over)
  ) {
    return over;
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over)) {
    merged[key] = key in merged ? overlay(merged[key], value) : value;
  }
  return merged;
}
