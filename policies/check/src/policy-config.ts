import { existsSync, readFileSync } from "node:fs";
import type { EnforcementLevel } from "@pulumi/policy";
import Ajv from "ajv";
import type { PackDefinition, PackPolicy } from "../../shared/src/policy";
import { CheckInputError } from "./errors";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy's config: its enforcement level override and its properties. */
export type PolicyConfig = Record<string, unknown> & { enforcementLevel?: EnforcementLevel };

/** Per pack, per policy: the config to run it with. */
export type PacksConfig = Map<string, Map<string, PolicyConfig>>;

const ajv = new Ajv({ allErrors: true, strict: false });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function levelOf(where: string, value: unknown): EnforcementLevel {
  if (typeof value !== "string" || !(LEVELS as readonly string[]).includes(value)) {
    throw new CheckInputError(
      `${where}: enforcement level ${JSON.stringify(value)} is not valid; allowed: ${LEVELS.join(", ")}`,
    );
  }
  return value as EnforcementLevel;
}

/** Checks one policy's entry against its configSchema, as the Pulumi CLI does. */
function validated(where: string, policy: PackPolicy, entry: unknown): PolicyConfig {
  if (typeof entry === "string") return { enforcementLevel: levelOf(where, entry) };
  if (!isObject(entry)) {
    throw new CheckInputError(`${where} must be an enforcement level or an object`);
  }
  const { enforcementLevel, ...properties } = entry;
  const validate = ajv.compile({
    type: "object",
    properties: policy.configSchema.properties,
    required: policy.configSchema.required ?? [],
    additionalProperties: false,
  });
  if (!validate(properties)) {
    const known = Object.keys(policy.configSchema.properties);
    const problems = (validate.errors ?? []).map((e) =>
      e.keyword === "additionalProperties"
        ? `unknown property "${(e.params as { additionalProperty: string }).additionalProperty}" (known: ${known.join(", ") || "none"})`
        : `${e.instancePath || "/"} ${e.message}`,
    );
    throw new CheckInputError(`${where}: ${problems.join("; ")}`);
  }
  return {
    ...properties,
    ...(enforcementLevel !== undefined
      ? { enforcementLevel: levelOf(where, enforcementLevel) }
      : {}),
  };
}

/**
 * Reads the packs' config: Pulumi policy-pack config (`--policy-pack-config` content) keyed by
 * pack name. In a pack's section, `all` sets every policy's level and a policy's own entry (a
 * level, or an object with `enforcementLevel` and properties) overrides it. Unknown packs,
 * policies and properties, and values that break a policy's schema, are errors.
 */
export function loadPacksConfig(
  file: string | undefined,
  packs: readonly PackDefinition[],
): PacksConfig {
  const resolved: PacksConfig = new Map(packs.map((p) => [p.name, new Map()]));
  if (file === undefined) return resolved;
  if (!existsSync(file)) throw new CheckInputError(`policy config ${file} does not exist`);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckInputError(
      `policy config ${file} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(document)) throw new CheckInputError(`policy config ${file} must be a JSON object`);
  for (const [packName, section] of Object.entries(document)) {
    const pack = packs.find((p) => p.name === packName);
    if (!pack) {
      throw new CheckInputError(
        `policy config: no pack "${packName}"; packs: ${packs.map((p) => p.name).join(", ")}`,
      );
    }
    if (!isObject(section))
      throw new CheckInputError(`policy config: "${packName}" must be an object`);
    const { all, ...entries } = section;
    const allLevel =
      all === undefined
        ? undefined
        : levelOf(`${packName}.all`, isObject(all) ? all.enforcementLevel : all);
    const configs = resolved.get(packName) as Map<string, PolicyConfig>;
    for (const policy of pack.policies) {
      if (allLevel) configs.set(policy.name, { enforcementLevel: allLevel });
    }
    for (const [policyName, entry] of Object.entries(entries)) {
      const policy = pack.policies.find((p) => p.name === policyName);
      if (!policy) {
        throw new CheckInputError(
          `policy config: pack ${packName} has no policy "${policyName}"; policies: ${pack.policies.map((p) => p.name).join(", ")}`,
        );
      }
      const own = validated(`${packName}.${policyName}`, policy, entry);
      configs.set(policyName, {
        ...(allLevel ? { enforcementLevel: allLevel } : {}),
        ...own,
      });
    }
  }
  return resolved;
}
