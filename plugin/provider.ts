import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { PACKAGE_NAME, type PublicComponent, publicComponents } from "./catalog";

/** A property's type in the package schema (the subset this provider reads). */
export interface SchemaType {
  /** `string`, `number`, `integer`, `boolean`, `array` or `object`. */
  type?: string;
  /** A reference, e.g. `#/types/hybridai:index:Dependency`. */
  $ref?: string;
  /** Element type of an array. */
  items?: SchemaType;
  /** Value type of a map. */
  additionalProperties?: SchemaType;
  /** Properties of an object type. */
  properties?: Record<string, SchemaType>;
}

/** The parts of `schema.json` the provider reads. */
export interface PackageSchema {
  /** Package name (`hybridai`). */
  name: string;
  /** Package version (the npm package's). */
  version: string;
  /** Components by type token, with their outputs. */
  resources: Record<string, { properties?: Record<string, SchemaType> }>;
  /** Object and enum types by token. */
  types: Record<string, SchemaType>;
}

/** The schema type a TypeScript `Dependency` (a resource, or `{ urn }`) has on the wire. */
export const DEPENDENCY_TYPE_REF = `#/types/${PACKAGE_NAME}:index:Dependency`;

/**
 * The hybridai component provider: serves the committed package schema to `pulumi package add`
 * and constructs the components for programs in other languages. Construction runs the same
 * class a TypeScript program uses, with the inputs the engine passes (plain values, outputs
 * where the caller passed outputs), and returns the outputs the schema lists.
 */
export class HybridAiProvider implements provider.Provider {
  /** The package version. */
  readonly version: string;
  /** The JSON-encoded package schema. */
  readonly schema: string;
  private readonly spec: PackageSchema;
  private readonly components: Map<string, PublicComponent>;

  /**
   * @param spec the package schema (`schema.json`).
   * @param components the components to construct, by default every public one.
   */
  constructor(spec: PackageSchema, components: PublicComponent[] = publicComponents()) {
    this.spec = spec;
    this.schema = JSON.stringify(spec);
    this.version = spec.version;
    this.components = new Map(components.map((c) => [c.token, c]));
  }

  /** Constructs the component of `type` and returns its URN and the outputs its schema lists. */
  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    const component = this.components.get(type);
    const resource = this.spec.resources[type];
    if (!component || !resource) {
      throw new Error(
        `hybridai provider: unknown component type ${type}; this package has ${[...this.components.keys()].join(", ")}`,
      );
    }
    const instance = new component.component(name, inputs, options) as unknown as Record<
      string,
      unknown
    >;
    const state: pulumi.Inputs = {};
    for (const [key, property] of Object.entries(resource.properties ?? {})) {
      if (instance[key] !== undefined) {
        state[key] = this.conform(instance[key], property);
      }
    }
    return { urn: (instance as unknown as pulumi.ComponentResource).urn, state };
  }

  /**
   * An output value in the shape its schema type describes: resources where the schema says
   * `Dependency` become `{ urn }` (the URN output keeps the dependency); arrays, maps, objects
   * and outputs are walked; everything else is returned as it is.
   */
  private conform(value: unknown, type: SchemaType): unknown {
    if (pulumi.Output.isInstance(value)) {
      return value.apply((v) => this.conform(v, type));
    }
    if (type.$ref === DEPENDENCY_TYPE_REF) {
      return pulumi.Resource.isInstance(value) ? { urn: value.urn } : value;
    }
    if (type.items && Array.isArray(value)) {
      const items = type.items;
      return value.map((v) => this.conform(v, items));
    }
    if (value === null || typeof value !== "object" || pulumi.Resource.isInstance(value)) {
      return value;
    }
    const properties = type.$ref?.startsWith("#/types/")
      ? this.spec.types[type.$ref.slice("#/types/".length)]?.properties
      : type.properties;
    const entries = Object.entries(value as Record<string, unknown>);
    if (type.additionalProperties) {
      const values = type.additionalProperties;
      return Object.fromEntries(entries.map(([k, v]) => [k, this.conform(v, values)]));
    }
    if (properties) {
      return Object.fromEntries(
        entries.map(([k, v]) => [k, properties[k] ? this.conform(v, properties[k]) : v]),
      );
    }
    return value;
  }
}
