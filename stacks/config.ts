import { type ConfigProblem, HybridAiConfigError } from "../components/errors";
import { issueProblems } from "./config-problems";
import type { StackSection } from "./section";

/** The namespace of every hybridai stack config key. */
export const CONFIG_NAMESPACE = "hybridai";

/** A stack config that passed validation: the parsed value of each present section, by key. */
export type ValidatedStackConfig = Map<string, unknown>;

/** The raw text of a section parsed as JSON, or a problem saying it is not. */
function parseJson(key: string, raw: string): { value: unknown } | { problem: ConfigProblem } {
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return {
      problem: {
        field: `${CONFIG_NAMESPACE}:${key}`,
        value: raw,
        allowed: "a YAML/JSON object (set it as an object in Pulumi.<stack>.yaml)",
      },
    };
  }
}

/**
 * Validates a whole stack config before any resource exists. `raw` is every config entry of the
 * stack (`pulumi.runtime.allConfig()` form: `"hybridai:aws"` → JSON text). Every `hybridai:*`
 * key must name a known section; at least one section must be present; each section must match
 * its schema. All problems are reported together in one {@link HybridAiConfigError}, one a
 * line, each naming its key path once (`hybridai:aws.fleets[0].capacity.max`), the value and
 * what is allowed.
 */
export function validateStackConfig(
  raw: Readonly<Record<string, string>>,
  sections: readonly StackSection<unknown>[],
): ValidatedStackConfig {
  const known = sections.map((s) => `${CONFIG_NAMESPACE}:${s.key}`);
  const problems: ConfigProblem[] = Object.keys(raw)
    .filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`) && !known.includes(k))
    .map((field) => ({ field, value: raw[field], allowed: known.join(", "), kind: "unknown-key" }));
  const validated: ValidatedStackConfig = new Map();
  for (const section of sections) {
    const key = `${CONFIG_NAMESPACE}:${section.key}`;
    const text = raw[key];
    if (text === undefined) continue;
    const parsed = parseJson(section.key, text);
    if ("problem" in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const result = section.schema.safeParse(parsed.value);
    if (result.success) validated.set(section.key, result.data);
    else problems.push(...issueProblems(key, section.schema, parsed.value, result.error.issues));
  }
  if (problems.length === 0 && validated.size === 0) {
    const choices = sections.map((s) => `${CONFIG_NAMESPACE}:${s.key} (${s.summary})`).join("; ");
    problems.push({
      field: `${CONFIG_NAMESPACE}:*`,
      value: undefined,
      allowed: `at least one of: ${choices}`,
      kind: "missing",
    });
  }
  if (problems.length > 0) throw new HybridAiConfigError("stack config", problems);
  return validated;
}
