import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource, RecordedResourceOptions } from "./mocks";
import type { PropertyMap } from "./property-map";

/** One violation a policy reported. */
export interface PolicyViolation {
  /** Policy name (or the name given in an object passed to `reportViolation`). */
  policy: string;
  /** The message passed to `reportViolation`, or the policy's description when it passed none. */
  message: string;
  /** URN passed to `reportViolation` (stack policies name the offending resource this way). */
  urn?: string;
  /** Level the engine would enforce it at (`remediate` becomes `mandatory`, as in the engine). */
  enforcementLevel: EnforcementLevel;
}

/** Everything one policy run produced. */
export interface PolicyReport {
  /** Violations, in the order reported. */
  violations: PolicyViolation[];
  /** Reasons the policy gave (via `args.notApplicable`) for not applying; empty when it applied. */
  notApplicable: string[];
}

/** A resource as a stack policy sees it, written by hand or taken from recorded resources. */
export interface PolicyResourceInput {
  /** Type token, e.g. `aws:s3/bucketV2:BucketV2`. */
  type: string;
  /** Properties (for stack policies the engine passes the resource's outputs). */
  props: PropertyMap;
  /** Logical name (default: the last segment of `urn`, else `resource-<index>`). */
  name?: string;
  /** URN (default: built from type and name, project `project`, stack `stack`). */
  urn?: string;
  /** Parent URN; resolved to the parent's `PolicyResource` when it is in the list. */
  parent?: string;
  /** URNs this resource depends on; resolved to `PolicyResource`s found in the list. */
  dependencies?: string[];
  /** Per property, the URNs it depends on; resolved like `dependencies`. */
  propertyDependencies?: Record<string, string[]>;
  /** The provider the resource uses. */
  provider?: PolicyProviderResource;
  /** Resource options (defaults: nothing protected, no ignoreChanges, no aliases, zero timeouts). */
  opts?: Partial<PolicyResourceOptions>;
}

/** Input to {@link resourceValidationArgs}. */
export interface ResourceValidationInput {
  /** Type token, e.g. `aws:eks/cluster:Cluster`. */
  type: string;
  /** Input properties, as the engine passes them to `validateResource`. */
  props: PropertyMap;
  /** Logical name (default: last segment of `urn`, else `resource`). */
  name?: string;
  /** URN (default: built from type and name). */
  urn?: string;
  /** This policy's config as `getConfig()` returns it (default `{}`). */
  config?: PropertyMap;
  /** Stack tags (default none). */
  stackTags?: Record<string, string>;
  /** The provider the resource uses. */
  provider?: PolicyProviderResource;
  /** Resource options (defaults as in {@link PolicyResourceInput.opts}). */
  opts?: Partial<PolicyResourceOptions>;
}

/** Options for running a policy. */
export interface PolicyRunOptions {
  /**
   * The policy's config, as a policy pack config file would give it (`enforcementLevel` plus
   * properties). Schema defaults from the policy's `configSchema` fill what is missing, as the
   * Pulumi CLI does; a missing `required` property throws.
   */
  config?: PropertyMap;
  /** Stack tags (default none). */
  stackTags?: Record<string, string>;
  /** Enforcement level of the pack, used when neither config nor policy sets one (default `advisory`). */
  packEnforcementLevel?: EnforcementLevel;
}

/** Thrown by `args.notApplicable(reason)`, as the engine's own sentinel is. */
class NotApplicableError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

/** Thrown when a policy reads a value that is unknown during preview. */
class UnknownValueError extends Error {
  constructor(path: string[]) {
    super(`value at .${path.join(".")} can't be known during preview`);
  }
}

const DEFAULT_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function urnFor(type: string, name: string): string {
  return `urn:pulumi:stack::project::${type}::${name}`;
}

function nameFromUrn(urn: string | undefined): string | undefined {
  return urn?.split("::").pop();
}

/** Plain data as the engine delivers it: `undefined` fields dropped, unknowns kept as markers. */
function plainValue(value: unknown): unknown {
  if (pulumi.isUnknown(value) || value === pulumi.runtime.unknownValue) {
    return UNKNOWN;
  }
  if (Array.isArray(value)) {
    return value.map((item) => (item === undefined ? null : plainValue(item)));
  }
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plainValue(v)]),
    );
  }
  return value;
}

const UNKNOWN = Symbol("unknown during preview");

/** {@link plainValue} of a property map. */
function plainProps(props: PropertyMap): PropertyMap {
  return plainValue(props) as PropertyMap;
}

/** Wraps props so reading an unknown value throws, as the engine's `unknownCheckingProxy` does. */
function unknownChecking<T>(value: T, path: string[] = []): T {
  if (value === null || typeof value !== "object") {
    return value;
  }
  return new Proxy(value as object, {
    get: (target, property) => {
      const field = (target as Record<PropertyKey, unknown>)[property];
      const fieldPath = [...path, String(property)];
      if (field === UNKNOWN) {
        throw new UnknownValueError(fieldPath);
      }
      const descriptor = Object.getOwnPropertyDescriptor(target, property);
      if (descriptor && "value" in descriptor && !descriptor.configurable && !descriptor.writable) {
        return field;
      }
      return unknownChecking(field, fieldPath);
    },
  }) as T;
}

/** The engine's `isTypeOf`: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = (resourceClass as { __pulumiType?: unknown })?.__pulumiType;
  if (typeof pulumiType === "string" && pulumiType.length > 0) {
    return type === pulumiType;
  }
  const isInstance = (resourceClass as { isInstance?: unknown })?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function frozenTags(tags: Record<string, string> | undefined): ReadonlyMap<string, string> {
  return new Map(Object.entries(tags ?? {}));
}

/**
 * Builds `ResourceValidationArgs` the way `@pulumi/policy`'s analyzer does: props wrapped so an
 * unknown value throws, `isType`/`asType` by the class's type token, `getConfig` returning this
 * policy's config and `notApplicable` throwing the sentinel the harness reports as not applicable.
 */
export function resourceValidationArgs(input: ResourceValidationInput): ResourceValidationArgs {
  const name = input.name ?? nameFromUrn(input.urn) ?? "resource";
  const props = unknownChecking(plainProps(input.props));
  const args: ResourceValidationArgs = {
    type: input.type,
    props,
    urn: input.urn ?? urnFor(input.type, name),
    name,
    opts: { ...DEFAULT_OPTIONS, ...input.opts },
    stackTags: frozenTags(input.stackTags),
    isType: (resourceClass) => isTypeOf(input.type, resourceClass),
    asType: (resourceClass) => (isTypeOf(input.type, resourceClass) ? props : undefined) as never,
    getConfig: <T extends object>() => ({ ...input.config }) as T,
    notApplicable: throwNotApplicable,
  };
  if (input.provider) {
    args.provider = input.provider;
  }
  return args;
}

/**
 * Builds `StackValidationArgs` the way the analyzer does: each resource's `parent`,
 * `dependencies` and `propertyDependencies` resolved to the other `PolicyResource` objects.
 */
export function stackValidationArgs(
  resources: readonly PolicyResourceInput[],
  options: { config?: PropertyMap; stackTags?: Record<string, string> } = {},
): StackValidationArgs {
  const built = resources.map((input, index) => {
    const name = input.name ?? nameFromUrn(input.urn) ?? `resource-${index}`;
    const props = unknownChecking(plainProps(input.props));
    const resource: PolicyResource = {
      type: input.type,
      props,
      urn: input.urn ?? urnFor(input.type, name),
      name,
      opts: { ...DEFAULT_OPTIONS, ...input.opts },
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(input.type, resourceClass),
      asType: (resourceClass) => (isTypeOf(input.type, resourceClass) ? props : undefined) as never,
    };
    if (input.provider) {
      resource.provider = input.provider;
    }
    return { input, resource };
  });
  const byUrn = new Map(built.map(({ resource }) => [resource.urn, resource]));
  const resolve = (urns: string[] | undefined) =>
    (urns ?? []).map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
  for (const { input, resource } of built) {
    const parent = input.parent ? byUrn.get(input.parent) : undefined;
    if (parent) {
      resource.parent = parent;
    }
    resource.dependencies = resolve(input.dependencies);
    for (const [key, urns] of Object.entries(input.propertyDependencies ?? {})) {
      resource.propertyDependencies[key] = resolve(urns);
    }
  }
  return {
    resources: built.map(({ resource }) => resource),
    stackTags: frozenTags(options.stackTags),
    getConfig: <T extends object>() => ({ ...options.config }) as T,
    notApplicable: throwNotApplicable,
  };
}

/** Go duration (`"1h30m"`, `"45s"`) to seconds, as the engine converts custom timeouts. */
function durationSeconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    seconds += Number(amount) * units[unit];
  }
  return seconds;
}

function policyOptions(options: RecordedResourceOptions, parent?: string): PolicyResourceOptions {
  return {
    protect: options.protect,
    ignoreChanges: options.ignoreChanges,
    aliases: options.aliases,
    customTimeouts: {
      createSeconds: durationSeconds(options.customTimeouts.create),
      updateSeconds: durationSeconds(options.customTimeouts.update),
      deleteSeconds: durationSeconds(options.customTimeouts.delete),
    },
    additionalSecretOutputs: options.additionalSecretOutputs,
    ...(options.deleteBeforeReplace !== undefined
      ? { deleteBeforeReplace: options.deleteBeforeReplace }
      : {}),
    ...(parent ? { parent } : {}),
  };
}

function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

/** The provider as the engine describes it, from a `<urn>::<id>` reference and the recorded provider. */
function providerOf(
  reference: string | undefined,
  records: readonly RecordedResource[],
): PolicyProviderResource | undefined {
  if (!reference) {
    return undefined;
  }
  const urn = reference.slice(0, reference.lastIndexOf("::"));
  const record = records.find((r) => r.urn === urn);
  const segments = urn.split("::");
  return {
    type: record?.type ?? segments[2]?.split("$").pop() ?? "",
    props: plainProps(record?.inputs ?? {}),
    urn,
    name: record?.name ?? segments[3] ?? "",
  };
}

/**
 * Turns recorded resources into stack-policy inputs as the engine's `AnalyzeStack` sees the stack:
 * every resource except providers (components included, so parent links resolve), with its
 * outputs as props, its parent, dependencies and provider.
 */
export function policyResourcesFromRecords(
  records: readonly RecordedResource[],
): PolicyResourceInput[] {
  return records
    .filter((record) => !isProviderType(record.type))
    .map((record) => {
      const provider = providerOf(record.provider, records);
      return {
        type: record.type,
        props: record.state,
        name: record.name,
        urn: record.urn,
        ...(record.parent ? { parent: record.parent } : {}),
        dependencies: record.dependencies,
        propertyDependencies: record.propertyDependencies,
        ...(provider ? { provider } : {}),
        opts: policyOptions(record.options, record.parent),
      };
    });
}

/** Config as the CLI hands it to the pack: schema defaults, then the given values; `required` enforced. */
function resolvedConfig(
  policyName: string,
  schema: PolicyConfigSchema | undefined,
  config: PropertyMap | undefined,
): { enforcementLevel?: EnforcementLevel; properties: PropertyMap } {
  const { enforcementLevel, ...given } = config ?? {};
  const defaults = Object.fromEntries(
    Object.entries(schema?.properties ?? {})
      .filter(([, property]) => property.default !== undefined)
      .map(([key, property]) => [key, property.default]),
  );
  const properties = { ...defaults, ...given };
  const missing = (schema?.required ?? []).filter((key) => properties[key] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `policy "${policyName}": config is missing required ${missing.map((k) => `"${k}"`).join(", ")}; ` +
        "pass it in options.config",
    );
  }
  return { enforcementLevel, properties };
}

/** The object form of `reportViolation` that `@pulumi/policy` 1.21 accepts at runtime. */
interface ReportedPolicyInfo {
  name?: string;
  message?: string;
  description?: string;
  urn?: string;
  enforcementLevel?: EnforcementLevel;
}

interface PreparedRun {
  level: EnforcementLevel;
  properties: PropertyMap;
  report: PolicyReport;
  reportViolation: (message: string | ReportedPolicyInfo, urn?: string) => void;
}

function prepare(
  policy: {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    configSchema?: PolicyConfigSchema;
  },
  options: PolicyRunOptions,
): PreparedRun {
  const config = resolvedConfig(policy.name, policy.configSchema, options.config);
  let level =
    config.enforcementLevel ??
    policy.enforcementLevel ??
    options.packEnforcementLevel ??
    "advisory";
  if (level === "remediate") {
    level = "mandatory";
  }
  const report: PolicyReport = { violations: [], notApplicable: [] };
  const reportViolation = (message: string | ReportedPolicyInfo, urn?: string) => {
    if (message !== null && typeof message === "object") {
      report.violations.push({
        policy: message.name || policy.name,
        message: message.message || message.description || policy.description,
        ...(message.urn ? { urn: message.urn } : {}),
        enforcementLevel: message.enforcementLevel || level,
      });
      return;
    }
    report.violations.push({
      policy: policy.name,
      message: message ? String(message) : policy.description,
      ...(urn ? { urn } : {}),
      enforcementLevel: level,
    });
  };
  return { level, properties: config.properties, report, reportViolation };
}

/** Runs one validation and files a not-applicable or preview-unknown outcome the way the engine does. */
async function runGuarded(
  policyName: string,
  run: PreparedRun,
  validation: () => Promise<void> | void,
): Promise<void> {
  try {
    await validation();
  } catch (error) {
    if (error instanceof NotApplicableError) {
      run.report.notApplicable.push(error.reason ?? "Policy does not apply");
    } else if (error instanceof UnknownValueError) {
      run.report.violations.push({
        policy: policyName,
        message: `can't run policy '${policyName}' during preview: ${error.message}`,
        enforcementLevel: "advisory",
      });
    } else {
      throw error;
    }
  }
}

function pulumiTypeOf(fn: unknown): string | undefined {
  const type = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type.length > 0 ? type : undefined;
}

/** A resource to validate: a recorded resource (its inputs are checked) or hand-written props. */
export type ResourceToValidate =
  | RecordedResource
  | Pick<ResourceValidationInput, "type" | "props" | "name" | "urn" | "provider" | "opts">;

function validationInput(resource: ResourceToValidate): ResourceValidationInput {
  if ("props" in resource) {
    return resource;
  }
  const provider = providerOf(resource.provider, []);
  return {
    type: resource.type,
    props: resource.inputs,
    name: resource.name,
    urn: resource.urn,
    opts: policyOptions(resource.options, resource.parent),
    ...(provider ? { provider } : {}),
  };
}

/**
 * Runs a resource policy's `validateResource` against one resource exactly as the analyzer would
 * and reports violations and not-applicable reasons. A disabled policy reports nothing.
 */
export async function checkResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: ResourceToValidate,
  options: PolicyRunOptions = {},
): Promise<PolicyReport> {
  const run = prepare(policy, options);
  if (run.level === "disabled") {
    return run.report;
  }
  if (!policy.validateResource) {
    run.report.notApplicable.push("Policy does not implement validateResource");
    return run.report;
  }
  const input = validationInput(resource);
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  const declaredType = Array.isArray(policy.validateResource)
    ? undefined
    : pulumiTypeOf(policy.validateResource);
  if (declaredType && declaredType !== input.type) {
    run.report.notApplicable.push(`Policy only applies to resources of type '${declaredType}'`);
    return run.report;
  }
  for (const validation of validations) {
    const args = resourceValidationArgs({
      ...input,
      config: run.properties,
      stackTags: options.stackTags,
    });
    await runGuarded(policy.name, run, () => validation(args, run.reportViolation));
  }
  return run.report;
}

/** {@link checkResourcePolicy}, returning only the violations. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: ResourceToValidate,
  options: PolicyRunOptions = {},
): Promise<PolicyViolation[]> {
  return (await checkResourcePolicy(policy, resource, options)).violations;
}

/** Recorded resources are converted with {@link policyResourcesFromRecords}; inputs are used as given. */
function stackInputs(
  resources: readonly RecordedResource[] | readonly PolicyResourceInput[],
): PolicyResourceInput[] {
  const all: readonly (RecordedResource | PolicyResourceInput)[] = resources;
  return all.some((r) => "state" in r)
    ? policyResourcesFromRecords(resources as readonly RecordedResource[])
    : [...(resources as readonly PolicyResourceInput[])];
}

/**
 * Runs a stack policy's `validateStack` over the given resources (recorded resources or
 * hand-written inputs) exactly as the analyzer would, and reports violations and not-applicable
 * reasons. A disabled policy reports nothing.
 */
export async function checkStackPolicy(
  policy: StackValidationPolicy,
  resources: readonly RecordedResource[] | readonly PolicyResourceInput[],
  options: PolicyRunOptions = {},
): Promise<PolicyReport> {
  const run = prepare(policy, options);
  if (run.level === "disabled") {
    return run.report;
  }
  const inputs = stackInputs(resources);
  const declaredType = pulumiTypeOf(policy.validateStack);
  if (declaredType && !inputs.some((r) => r.type === declaredType)) {
    run.report.notApplicable.push(`Policy only applies to resources of type '${declaredType}'`);
    return run.report;
  }
  const args = stackValidationArgs(inputs, {
    config: run.properties,
    stackTags: options.stackTags,
  });
  await runGuarded(policy.name, run, () => policy.validateStack(args, run.reportViolation));
  return run.report;
}

/** {@link checkStackPolicy}, returning only the violations. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: readonly RecordedResource[] | readonly PolicyResourceInput[],
  options: PolicyRunOptions = {},
): Promise<PolicyViolation[]> {
  return (await checkStackPolicy(policy, resources, options)).violations;
}
