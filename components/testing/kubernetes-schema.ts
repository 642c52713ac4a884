import { KEDA_V1ALPHA1_MODELS } from "./crd-models";
import { isNamespacedKind } from "./kubernetes-scope";
import type { RecordedResource } from "./mocks";
import type { PropertyMap } from "./property-map";

/** A kubernetes-models class: constructs from a plain manifest and validates against its schema. */
type ModelClass = new (data: PropertyMap) => { validate(): void };

/**
 * The schema modules per `apiVersion`: upstream Kubernetes (kubernetes-models) plus the CRDs our
 * components create (Prometheus Operator, Gateway API, and Argo Rollouts' Rollout,
 * AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun and Experiment from the v1.5.0 CRDs that
 * the pinned `ArgoRollouts` chart installs; KEDA's ScaledObject from the CRD the pinned `Keda`
 * chart installs, checked in process by `crd-models.ts`). Each kubernetes-models kind is a module
 * of its own (`<module>/<Kind>`), loaded the first time an object of that kind is validated: a
 * test process pays only for the kinds its program creates.
 */
const MODULES_BY_API_VERSION: Record<string, string> = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "autoscaling/v1": "kubernetes-models/autoscaling/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "batch/v1": "kubernetes-models/batch/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "storage.k8s.io/v1": "kubernetes-models/storage.k8s.io/v1",
  "scheduling.k8s.io/v1": "kubernetes-models/scheduling.k8s.io/v1",
  "node.k8s.io/v1": "kubernetes-models/node.k8s.io/v1",
  "coordination.k8s.io/v1": "kubernetes-models/coordination.k8s.io/v1",
  "discovery.k8s.io/v1": "kubernetes-models/discovery.k8s.io/v1",
  "admissionregistration.k8s.io/v1": "kubernetes-models/admissionregistration.k8s.io/v1",
  "apiextensions.k8s.io/v1": "kubernetes-models/apiextensions.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  "monitoring.coreos.com/v1alpha1":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1",
  "gateway.networking.k8s.io/v1": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1",
  "gateway.networking.k8s.io/v1beta1":
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1",
  "argoproj.io/v1alpha1": "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1",
  "networking.gke.io/v1": "@kubernetes-models/gke/networking.gke.io/v1",
};

/** Kinds checked against a CRD schema fixture in process, by `apiVersion`. */
const CRD_MODELS_BY_API_VERSION: Record<string, Record<string, unknown>> = {
  "keda.sh/v1alpha1": KEDA_V1ALPHA1_MODELS,
};

/** Kind modules loaded so far (undefined: the module has no such kind). */
const loadedModels = new Map<string, ModelClass | undefined>();

/** The outcome for one recorded Kubernetes resource. */
export interface ValidatedKubernetesObject {
  /** `apiVersion` of the object, e.g. `apps/v1`. */
  apiVersion: string;
  /** `kind` of the object, e.g. `Deployment`. */
  kind: string;
  /** `metadata.name`, or the logical name when the program left it to autonaming. */
  name: string;
  /** `metadata.namespace` (`default` when unset) for namespaced objects; absent otherwise. */
  namespace?: string;
  /** `validated` when checked against the schema, `skipped` when no schema applies. */
  status: "validated" | "skipped";
  /** Why the object was skipped. */
  reason?: string;
}

/** One object that failed schema validation. */
export interface KubernetesSchemaFailure {
  /** `<kind> <namespace>/<name>` of the object. */
  object: string;
  /** Schema errors, each with the JSON path, e.g. `/spec/replicas must be integer`. */
  errors: string[];
}

/** Thrown when one or more Kubernetes objects do not match the upstream OpenAPI schema. */
export class KubernetesSchemaError extends Error {
  constructor(readonly failures: KubernetesSchemaFailure[]) {
    super(
      `${failures.length} Kubernetes object(s) failed schema validation:\n` +
        failures.map((f) => `- ${f.object}:\n    ${f.errors.join("\n    ")}`).join("\n"),
    );
    this.name = "KubernetesSchemaError";
  }
}

/** Pulumi's Kubernetes type token, `kubernetes:<group>/<version>:<Kind>` (`core` is the empty group). */
const KUBERNETES_TYPE = /^kubernetes:([^:]+):([^:]+)$/;

/** Why a Pulumi Kubernetes type that is not a plain object is skipped. */
function skipReasonOf(groupVersion: string, kind: string): string | undefined {
  if (groupVersion.startsWith("helm.sh/")) {
    return "Helm release: its chart is rendered by the Kubernetes provider at deploy time";
  }
  if (groupVersion.startsWith("yaml") || groupVersion.startsWith("kustomize")) {
    return "manifest bundle: its objects register (and are validated) as children";
  }
  if (kind.endsWith("Patch")) {
    return "server-side apply patch: a partial object by design";
  }
  if (kind.endsWith("List")) {
    return "list wrapper: validate its items instead";
  }
  return undefined;
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const crd = CRD_MODELS_BY_API_VERSION[apiVersion]?.[kind];
  if (crd !== undefined) return crd as ModelClass;
  const base = MODULES_BY_API_VERSION[apiVersion];
  if (!base || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const id = `${base}/${kind}`;
  if (!loadedModels.has(id)) {
    let model: unknown;
    try {
      model = (require(id) as Record<string, unknown>)[kind];
    } catch (error) {
      // No module for this kind; a module missing deeper down is a broken install: rethrow.
      const missing = error as NodeJS.ErrnoException;
      if (missing.code !== "MODULE_NOT_FOUND" || !missing.message.includes(`/${kind}`)) throw error;
    }
    loadedModels.set(id, typeof model === "function" ? (model as ModelClass) : undefined);
  }
  return loadedModels.get(id);
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function schemaErrorsOf(error: unknown): string[] {
  const details = (error as { errors?: AjvLikeError[] }).errors;
  if (!Array.isArray(details) || details.length === 0) {
    return [error instanceof Error ? error.message : String(error)];
  }
  return details.map((d) => {
    const allowed = d.params?.allowedValues
      ? ` (allowed: ${JSON.stringify(d.params.allowedValues)})`
      : "";
    return `${d.instancePath || "/"} ${d.message ?? "is invalid"}${allowed}`;
  });
}

function objectLabel(object: ValidatedKubernetesObject): string {
  return object.namespace
    ? `${object.kind} ${object.namespace}/${object.name}`
    : `${object.kind} ${object.name}`;
}

interface Outcome {
  object: ValidatedKubernetesObject;
  errors: string[];
}

/** Pulumi's marker of a secret value in serialized properties (the value sits under `value`). */
const SECRET_SIGNATURE = ["4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"];

/** The manifest with every secret-wrapped value replaced by the value (what the API server gets). */
function withoutSecretMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretMarkers);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[SECRET_SIGNATURE[0]] === SECRET_SIGNATURE[1])
    return withoutSecretMarkers(object.value);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, withoutSecretMarkers(v)]));
}

function check(
  manifest: PropertyMap,
  apiVersion: string,
  kind: string,
  fallbackName: string,
): Outcome {
  const name = String(manifest.metadata?.name ?? fallbackName);
  const namespace = isNamespacedKind(kind)
    ? { namespace: String(manifest.metadata?.namespace ?? "default") }
    : {};
  const model = modelFor(apiVersion, kind);
  if (!model) {
    return {
      object: {
        apiVersion,
        kind,
        name,
        ...namespace,
        status: "skipped",
        reason: `no schema known for ${apiVersion} ${kind}`,
      },
      errors: [],
    };
  }
  const object: ValidatedKubernetesObject = {
    apiVersion,
    kind,
    name,
    ...namespace,
    status: "validated",
  };
  try {
    new model({ ...(withoutSecretMarkers(manifest) as PropertyMap), apiVersion, kind }).validate();
    return { object, errors: [] };
  } catch (error) {
    return { object, errors: schemaErrorsOf(error) };
  }
}

function throwIfFailed(outcomes: Outcome[]): ValidatedKubernetesObject[] {
  const failures = outcomes
    .filter((o) => o.errors.length > 0)
    .map((o) => ({ object: objectLabel(o.object), errors: o.errors }));
  if (failures.length > 0) {
    throw new KubernetesSchemaError(failures);
  }
  return outcomes.map((o) => o.object);
}

/**
 * Validates every recorded `kubernetes:*` resource against the upstream OpenAPI schema
 * (kubernetes-models; Prometheus Operator, Gateway API and Argo Rollouts CRDs too), using the inputs the program
 * gave. Throws {@link KubernetesSchemaError} listing every failing object (kind, namespace/name)
 * with every schema error and its path. Helm releases, YAML bundles, patches and kinds without a
 * known schema are returned as `skipped` with the reason.
 *
 * @param records recorded resources, typically `installMocks().resources`; non-Kubernetes ones are ignored.
 */
export function validateKubernetesObjects(
  records: readonly RecordedResource[],
): ValidatedKubernetesObject[] {
  const outcomes: Outcome[] = [];
  for (const record of records) {
    const match = KUBERNETES_TYPE.exec(record.type);
    if (!match) {
      continue;
    }
    const [, groupVersion, kind] = match;
    const apiVersion = groupVersion.replace(/^core\//, "");
    const skipReason = skipReasonOf(groupVersion, kind);
    if (skipReason) {
      outcomes.push({
        object: { apiVersion, kind, name: record.name, status: "skipped", reason: skipReason },
        errors: [],
      });
      continue;
    }
    outcomes.push(check(record.inputs, apiVersion, kind, record.name));
  }
  return throwIfFailed(outcomes);
}

/**
 * Validates one plain manifest (`apiVersion`, `kind`, `metadata`, …) against its schema. Throws
 * {@link KubernetesSchemaError} on schema errors; returns it as `skipped` when no schema is known.
 */
export function validateKubernetesObject(manifest: PropertyMap): ValidatedKubernetesObject {
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new KubernetesSchemaError([
      {
        object: `${kind ?? "<no kind>"} ${manifest.metadata?.name ?? "<no name>"}`,
        errors: ["/ must have string apiVersion and kind"],
      },
    ]);
  }
  return throwIfFailed([check(manifest, apiVersion, kind, "<no name>")])[0];
}
