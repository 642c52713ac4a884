import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Props } from "./props";

/** What every hybridai policy declares, beyond what `@pulumi/policy` requires. */
interface PackPolicyMetadata {
  /** One sentence: what the policy requires. */
  description: string;
  /** What to change when it reports a violation. */
  remediationSteps: string;
  /** The level it is enforced at unless the pack config says otherwise. */
  enforcementLevel: Exclude<EnforcementLevel, "remediate">;
  /** Its settings (`--policy-pack-config`), each with a default. */
  configSchema: PolicyConfigSchema;
}

/** A hybridai resource policy. */
export type PackResourcePolicy = ResourceValidationPolicy & PackPolicyMetadata;
/** A hybridai stack policy. */
export type PackStackPolicy = StackValidationPolicy & PackPolicyMetadata;
/** Any hybridai policy. */
export type PackPolicy = PackResourcePolicy | PackStackPolicy;

/** A policy pack as the check and the `PolicyPack` constructor both need it. */
export interface PackDefinition {
  /** The pack name (`pulumi preview --policy-pack` reports it; the policy config is keyed by it). */
  name: string;
  /** One line about the pack. */
  description: string;
  /** Its policies. */
  policies: readonly PackPolicy[];
}

/** Validates one resource type's props; `report` files a violation for this resource. */
export type TypeValidation = (
  props: Props,
  args: ResourceValidationArgs,
  report: ReportViolation,
) => void;

/**
 * A `validateResource` that dispatches on the raw type token (so it holds for any program, with
 * any provider SDK version) and declares itself not applicable to every other type, as
 * `validateResourceOfType` does.
 */
export function forTypes(
  validations: Readonly<Record<string, TypeValidation>>,
): ResourceValidationPolicy["validateResource"] {
  const types = Object.keys(validations);
  return (args, report) => {
    const validate = validations[args.type];
    if (!validate) {
      args.notApplicable(`applies to ${types.join(", ")}`);
      return;
    }
    validate(args.props as Props, args, report);
  };
}

/** The stack name in a resource URN (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): string {
  return urn.replace(/^urn:pulumi:/, "").split("::")[0];
}

/** One validation for several type tokens, for {@link forTypes}. */
export function sameFor(
  types: readonly string[],
  validate: TypeValidation,
): Record<string, TypeValidation> {
  return Object.fromEntries(types.map((type) => [type, validate]));
}

/** The last segment of a type token: `aws:s3/bucket:Bucket` → `Bucket`. */
export function kindOf(type: string): string {
  return type.split(":").pop() ?? type;
}

/**
 * A policy's settings: the config the engine hands over, on top of the defaults its configSchema
 * declares (the Pulumi CLI fills defaults in, but a pack must not depend on the CLI version).
 */
export function settingsOf<T extends object>(
  args: { getConfig<C extends object>(): C },
  schema: PolicyConfigSchema,
): T {
  const defaults = Object.fromEntries(
    Object.entries(schema.properties)
      .filter(([, property]) => property.default !== undefined)
      .map(([key, property]) => [key, property.default]),
  );
  return { ...defaults, ...args.getConfig<Partial<T>>() } as T;
}
