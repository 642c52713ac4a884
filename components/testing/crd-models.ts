import Ajv from "ajv";
import { KEDA_SCALED_OBJECT_SCHEMA } from "./crd-schemas/keda-scaledobject";
import type { PropertyMap } from "./property-map";

/** A CRD's schema check failing: `errors` in the shape kubernetes-models' own errors have. */
class CrdValidationError extends Error {
  constructor(readonly errors: { instancePath: string; message: string }[]) {
    super(errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; "));
    this.name = "CrdValidationError";
  }
}

const ajv = new Ajv({ strict: false, allErrors: true });
// The OpenAPI formats Kubernetes CRD schemas use.
ajv.addFormat("int32", {
  type: "number",
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31,
});
ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);

/**
 * A kubernetes-models-like class for a CRD kind whose schema is a fixture taken from the CRD at
 * the version we pin: validates the manifest's structure, then the CRD's CEL rules (`rules`,
 * written out by hand since CEL is not evaluated here).
 */
function crdModel(
  schema: Record<string, unknown>,
  rules: ((manifest: PropertyMap) => string | undefined)[],
): new (
  data: PropertyMap,
) => { validate(): void } {
  const check = ajv.compile(schema);
  return class {
    constructor(private readonly data: PropertyMap) {}
    validate(): void {
      if (!check(this.data)) {
        throw new CrdValidationError(
          (check.errors ?? []).map((e) => ({
            instancePath: e.instancePath,
            message: e.message ?? "is invalid",
          })),
        );
      }
      const broken = rules
        .map((rule) => rule(this.data))
        .filter((m): m is string => m !== undefined);
      if (broken.length > 0) {
        throw new CrdValidationError(broken.map((message) => ({ instancePath: "/spec", message })));
      }
    }
  };
}

/**
 * KEDA's keda.sh/v1alpha1 kinds the components create, validated against the CRD of the pinned
 * chart (`KEDA_CHART`, 2.20.2): ScaledObject, with its `minReplicaCount <= maxReplicaCount` rule.
 */
export const KEDA_V1ALPHA1_MODELS: Record<string, unknown> = {
  ScaledObject: crdModel(KEDA_SCALED_OBJECT_SCHEMA, [
    (manifest) => {
      const spec = manifest.spec ?? {};
      const min = spec.minReplicaCount;
      const max = spec.maxReplicaCount ?? 100;
      return typeof min === "number" && min > max
        ? "minReplicaCount must be less than or equal to maxReplicaCount"
        : undefined;
    },
  ]),
};
