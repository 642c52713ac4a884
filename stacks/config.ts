import type { z } from "zod";
import { HybridAiConfigError } from "../components/errors";
import type { StackSection } from "./section";

/** The namespace of every hybridai stack config key. */
export const CONFIG_NAMESPACE = "hybridai";

/** A stack config that passed validation: the parsed value of each present section, by key. */
export type ValidatedStackConfig = Map<string, unknown>;

function formatIssue(key: string, issue: z.core.$ZodIssue): string {
  const path = [key, ...issue.path.map(String)].join(".");
  return `${CONFIG_NAMESPACE}:${path}: ${issue.message}`;
}

function parseJson(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new HybridAiConfigError(
      "stack config",
      `${CONFIG_NAMESPACE}:${key}`,
      raw,
      "a YAML/JSON object (set it as an object in Pulumi.<stack>.yaml)",
    );
  }
}

/**
 * Validates a whole stack config before any resource exists. `raw` is every config entry of the
 * stack (`pulumi.runtime.allConfig()` form: `"hybridai:aws"` → JSON text). Every `hybridai:*`
 * key must name a known section; at least one section must be present; each section must match
 * its schema. All problems are reported together in one {@link HybridAiConfigError}.
 */
export function validateStackConfig(
  raw: Readonly<Record<string, string>>,
  sections: readonly StackSection<unknown>[],
): ValidatedStackConfig {
  const known = sections.map((s) => s.key);
  const problems: string[] = [];
  const present = Object.keys(raw)
    .filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`))
    .map((k) => k.slice(CONFIG_NAMESPACE.length + 1));
  for (const key of present.filter((k) => !known.includes(k))) {
    problems.push(`${CONFIG_NAMESPACE}:${key} is not a known section (known: ${known.join(", ")})`);
  }
  const validated: ValidatedStackConfig = new Map();
  for (const section of sections) {
    const text = raw[`${CONFIG_NAMESPACE}:${section.key}`];
    if (text === undefined) continue;
    const result = section.schema.safeParse(parseJson(section.key, text));
    if (result.success) validated.set(section.key, result.data);
    else problems.push(...result.error.issues.map((issue) => formatIssue(section.key, issue)));
  }
  if (problems.length === 0 && validated.size === 0) {
    const choices = sections.map((s) => `${CONFIG_NAMESPACE}:${s.key} (${s.summary})`).join("; ");
    throw new HybridAiConfigError(
      "stack config",
      CONFIG_NAMESPACE,
      "{}",
      `at least one of: ${choices}`,
    );
  }
  if (problems.length > 0) {
    throw new HybridAiConfigError(
      "stack config",
      CONFIG_NAMESPACE,
      present,
      `a config where ${problems.join("; ")}`,
    );
  }
  return validated;
}
