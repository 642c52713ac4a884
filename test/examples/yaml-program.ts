import { readFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { HybridAiProvider } from "../../plugin/provider";

/** A Pulumi YAML program: the parts the examples use. */
export interface YamlProgram {
  name: string;
  runtime: string;
  packages?: Record<string, string>;
  config?: Record<string, { type?: string; default?: unknown; secret?: boolean }>;
  resources: Record<
    string,
    {
      type: string;
      properties?: Record<string, unknown>;
      options?: { provider?: string; dependsOn?: string[] };
    }
  >;
  outputs?: Record<string, string>;
}

/** A property or type as `schema.json` describes it. */
export interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  properties?: Record<string, SchemaProperty>;
  required?: string[];
  enum?: { value: unknown }[];
  plain?: boolean;
}

/** The parts of `schema.json` the checks read. */
export interface Schema {
  resources: Record<
    string,
    {
      inputProperties: Record<string, SchemaProperty>;
      requiredInputs: string[];
      properties: Record<string, SchemaProperty>;
    }
  >;
  types: Record<string, SchemaProperty>;
}

/** Reads `Pulumi.yaml` of a YAML program. */
export function readYamlProgram(folder: string): YamlProgram {
  return parse(readFileSync(path.join(folder, "Pulumi.yaml"), "utf8")) as YamlProgram;
}

const INTERPOLATION = /^\$\{([A-Za-z0-9_.-]+)\}$/;

/** The `a.b` of a value that is exactly `${a.b}`, else undefined. */
function reference(value: unknown): string[] | undefined {
  return typeof value === "string" ? INTERPOLATION.exec(value)?.[1]?.split(".") : undefined;
}

/**
 * What is wrong with a `hybridai:*` resource's properties against the schema: unknown
 * properties, missing required ones, values of the wrong kind, enum values the schema does not
 * list, and another resource's outputs where the schema wants a plain value. References to config
 * (known when the program starts) count as plain; a whole resource counts as a resource reference.
 */
export function schemaProblems(program: YamlProgram, schema: Schema): string[] {
  const problems: string[] = [];
  const isResource = (name: string) => name in program.resources;
  const resolveRef = (ref: string): SchemaProperty | undefined =>
    ref.startsWith("#/types/") ? schema.types[ref.slice("#/types/".length)] : undefined;

  const check = (value: unknown, spec: SchemaProperty, at: string): void => {
    const ref = reference(value);
    if (ref) {
      const [head = "", ...rest] = ref;
      if (!isResource(head) && !(head in (program.config ?? {}))) {
        problems.push(`${at}: \${${ref.join(".")}} names neither a resource nor a config key`);
      }
      const wholeResource = isResource(head) && rest.length === 0;
      if (isResource(head) && !wholeResource && spec.plain) {
        problems.push(`${at}: a resource output where the schema wants a plain value`);
      }
      if (wholeResource && !spec.$ref?.includes("schema.json#/")) {
        problems.push(`${at}: a resource where the schema does not take one`);
      }
      return;
    }
    const type = spec.$ref ? resolveRef(spec.$ref) : spec;
    if (spec.$ref && !type) {
      problems.push(`${at}: a literal where the schema wants ${spec.$ref}`);
      return;
    }
    if (!type) return;
    if (type.enum) {
      const allowed = type.enum.map((e) => e.value);
      if (!allowed.includes(value)) {
        problems.push(`${at}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
      }
      return;
    }
    switch (type.type) {
      case "string":
      case "number":
      case "boolean":
        if (typeof value !== type.type) problems.push(`${at}: expected a ${type.type}`);
        return;
      case "array":
        if (!Array.isArray(value)) problems.push(`${at}: expected a list`);
        else {
          for (const [i, v] of value.entries()) check(v, type.items ?? {}, `${at}[${i}]`);
        }
        return;
      case "object": {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          problems.push(`${at}: expected a mapping`);
          return;
        }
        const entries = Object.entries(value as Record<string, unknown>);
        if (type.additionalProperties) {
          for (const [k, v] of entries) check(v, type.additionalProperties, `${at}.${k}`);
          return;
        }
        for (const [k, v] of entries) {
          const property = type.properties?.[k];
          if (!property)
            problems.push(`${at}.${k}: not a property of ${spec.$ref ?? "the object"}`);
          else check(v, property, `${at}.${k}`);
        }
        for (const k of type.required ?? []) {
          if (!(k in (value as object))) problems.push(`${at}.${k}: required`);
        }
        return;
      }
    }
  };

  for (const [name, resource] of Object.entries(program.resources)) {
    if (!resource.type.startsWith("hybridai:")) continue;
    const component = schema.resources[resource.type];
    if (!component) {
      problems.push(`${name}: ${resource.type} is not in the schema`);
      continue;
    }
    const properties = resource.properties ?? {};
    check(
      properties,
      { type: "object", properties: component.inputProperties, required: component.requiredInputs },
      name,
    );
  }
  for (const [output, value] of Object.entries(program.outputs ?? {})) {
    const [head, property] = reference(value) ?? [];
    const type = program.resources[head ?? ""]?.type ?? "";
    if (type.startsWith("hybridai:") && !schema.resources[type]?.properties[property ?? ""]) {
      problems.push(`outputs.${output}: ${type} has no output ${property}`);
    }
  }
  return problems;
}

/** A custom resource of any type, as the YAML runtime registers it. */
class YamlResource extends pulumi.CustomResource {}

/** A provider of any package, as the YAML runtime registers `pulumi:providers:<package>`. */
class YamlProvider extends pulumi.ProviderResource {}

/** What a resource of the program stands for once registered: itself, or a component's URN and state. */
type Registered = pulumi.Resource | { urn: pulumi.Output<string>; state: pulumi.Inputs };

/**
 * Runs a Pulumi YAML program under the installed mocks, for the subset the examples use:
 * `pulumi:providers:*`, custom resources of any type, and `hybridai:*` components constructed by
 * the package's own provider (as the Pulumi CLI would through the plugin); values are literals
 * or whole `${config}` / `${resource}` / `${resource.output}` references; options `provider`
 * and `dependsOn`. Anything else throws. Returns the program's outputs.
 */
export async function runYamlProgram(
  program: YamlProgram,
  config: Record<string, string>,
  provider: HybridAiProvider,
): Promise<Record<string, unknown>> {
  const registered = new Map<string, Registered>();
  const resolve = (value: unknown): unknown => {
    const ref = reference(value);
    if (ref) {
      const [head = "", ...rest] = ref;
      const found = registered.get(head);
      if (found === undefined) {
        const key = `${program.name}:${head}`;
        if (!(key in config)) throw new Error(`\${${ref.join(".")}}: no resource or config ${key}`);
        return config[key];
      }
      if (rest.length === 0) return found;
      if (rest.length !== 1)
        throw new Error(`\${${ref.join(".")}}: nested outputs are not supported`);
      const [property = ""] = rest;
      return property === "urn"
        ? found.urn
        : "state" in found
          ? found.state[property]
          : (found as unknown as Record<string, unknown>)[property];
    }
    if (typeof value === "string" && value.includes("${")) {
      throw new Error(`${value}: only whole \${…} references are supported`);
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  for (const [name, resource] of Object.entries(program.resources)) {
    const { provider: providerRef, dependsOn, ...other } = resource.options ?? {};
    if (Object.keys(other).length > 0)
      throw new Error(`${name}: unsupported options ${Object.keys(other)}`);
    const opts: pulumi.CustomResourceOptions = {
      ...(providerRef ? { provider: resolve(providerRef) as pulumi.ProviderResource } : {}),
      ...(dependsOn ? { dependsOn: dependsOn.map((d) => resolve(d) as pulumi.Resource) } : {}),
    };
    const properties = resolve(resource.properties ?? {}) as pulumi.Inputs;
    const providerType = /^pulumi:providers:(.+)$/.exec(resource.type)?.[1];
    if (providerType) {
      registered.set(name, new YamlProvider(providerType, name, properties, opts));
    } else if (resource.type.startsWith("hybridai:")) {
      const { urn, state } = await provider.construct(name, resource.type, properties, opts);
      registered.set(name, { urn: pulumi.output(urn), state });
    } else {
      registered.set(name, new YamlResource(resource.type, name, properties, opts));
    }
  }
  return resolve(program.outputs ?? {}) as Record<string, unknown>;
}
