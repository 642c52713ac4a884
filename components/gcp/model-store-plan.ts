import type * as storage from "@pulumi/gcp/storage";
import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../errors";
import type { ModelReaderSpec } from "../model-reader";
import { assertWholeNumber } from "../validate";
import { MODEL_READER_ROLE, WORKLOAD_IDENTITY_USER_ROLE, workloadIdentityMember } from "./iam";
import { parseCryptoKeyName } from "./kms";
import { assertRegion } from "./validate";

const COMPONENT = "GcpModelStore";

/** A Kubernetes namespace or service account name (DNS-1123 label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A model repository prefix: path segments of letters, digits, `-`, `_` and `.`. */
const PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
/** A model name as a folder of a Triton-style repository. */
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export type { ModelReaderSpec } from "../model-reader";

/** The store's settings, as plain values (validated on construction). */
export interface ModelStoreSpec {
  /** Bucket location. Default: the cluster's region (no cross-region reads). */
  location?: string;
  /** Folder of the model repository inside the bucket. Default `models`. */
  prefix?: string;
  /** The one Kubernetes service account that may read the models. */
  reader?: ModelReaderSpec;
  /** Cloud KMS key (in the bucket's location) for objects. Default: Google-managed encryption. */
  kmsKeyName?: string;
  /** Days a replaced or deleted model version is kept before deletion. Default 30. */
  noncurrentVersionRetentionDays?: number;
  /** Soft delete retention, days: 0 (off) or 7–90. Default 7. */
  softDeleteRetentionDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds models. Default `false`. */
  forceDestroy?: boolean;
  /** GCP resource labels for the bucket. */
  labels?: Record<string, string>;
}

/** Cloud Storage bucket arguments as plain values. */
export type BucketSettings = pulumi.Unwrap<storage.BucketArgs>;

/** What {@link ModelStore} creates. */
export interface ModelStorePlan {
  /** The bucket. */
  bucket: BucketSettings;
  /** The model repository prefix. */
  prefix: string;
  /** The reader's Kubernetes identity. */
  reader: { namespace: string; serviceAccountName: string };
  /** The bucket role granted to the reader's GCP service account. */
  readerRole: string;
  /** The Workload Identity member allowed to act as the reader service account, and its role. */
  workloadIdentity: { member: string; role: string };
  /** The CMEK to grant the Cloud Storage service agent, when set. */
  kmsKeyName?: string;
}

function dnsLabel(field: string, value: unknown): string {
  if (typeof value !== "string" || !DNS_LABEL.test(value)) {
    throw new HybridAiConfigError(
      COMPONENT,
      field,
      value,
      "a Kubernetes name: up to 63 lowercase letters, digits or hyphens",
    );
  }
  return value;
}

function softDeleteDays(value: unknown): number {
  const days = assertWholeNumber(COMPONENT, "softDeleteRetentionDays", value, 0, 90);
  if (days !== 0 && days < 7) {
    throw new HybridAiConfigError(COMPONENT, "softDeleteRetentionDays", days, "0 (off) or 7–90");
  }
  return days;
}

/**
 * Validates a model store spec and turns it into a private, versioned bucket (uniform
 * bucket-level access, public access prevention enforced, lifecycle for old versions, soft
 * delete, optional CMEK) and the least-privilege identity chain: the reader GCP service account
 * gets `roles/storage.objectViewer` on this bucket only, and one Kubernetes service account may
 * act as it through Workload Identity.
 */
export function planModelStore(
  spec: ModelStoreSpec,
  cluster: { project: string; region: string },
): ModelStorePlan {
  if (spec === null || typeof spec !== "object") {
    throw new HybridAiConfigError(COMPONENT, "args", spec, "an object { cluster, … }");
  }
  const location = assertRegion(COMPONENT, "location", spec.location ?? cluster.region);
  const prefix = spec.prefix ?? "models";
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "prefix",
      prefix,
      "path segments of letters, digits, '-', '_' or '.', without leading or trailing '/'",
    );
  }
  const namespace = dnsLabel("reader.namespace", spec.reader?.namespace ?? "hybridai");
  const serviceAccountName = dnsLabel(
    "reader.serviceAccountName",
    spec.reader?.serviceAccountName ?? "model-reader",
  );
  if (spec.kmsKeyName !== undefined) {
    parseCryptoKeyName(COMPONENT, "kmsKeyName", spec.kmsKeyName, [location]);
  }
  const noncurrentDays = assertWholeNumber(
    COMPONENT,
    "noncurrentVersionRetentionDays",
    spec.noncurrentVersionRetentionDays ?? 30,
    1,
  );
  const softDelete = softDeleteDays(spec.softDeleteRetentionDays ?? 7);

  const bucket: BucketSettings = {
    project: cluster.project,
    location: location.toUpperCase(),
    storageClass: "STANDARD",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    versioning: { enabled: true },
    lifecycleRules: [
      {
        action: { type: "Delete" },
        condition: { daysSinceNoncurrentTime: noncurrentDays, withState: "ARCHIVED" },
      },
      { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 1 } },
    ],
    softDeletePolicy: { retentionDurationSeconds: softDelete * 86_400 },
    ...(spec.kmsKeyName !== undefined
      ? { encryption: { defaultKmsKeyName: spec.kmsKeyName } }
      : {}),
    forceDestroy: spec.forceDestroy ?? false,
    ...(spec.labels ? { labels: spec.labels } : {}),
  };
  return {
    bucket,
    prefix,
    reader: { namespace, serviceAccountName },
    readerRole: MODEL_READER_ROLE,
    workloadIdentity: {
      member: workloadIdentityMember(cluster.project, namespace, serviceAccountName),
      role: WORKLOAD_IDENTITY_USER_ROLE,
    },
    ...(spec.kmsKeyName !== undefined ? { kmsKeyName: spec.kmsKeyName } : {}),
  };
}

/** Longest component name: Pulumi names the bucket `<name>-<7 random characters>`, and buckets stop at 63. */
export const MODEL_STORE_NAME_MAX = 63 - 8;

const BUCKET_BASE = /^[a-z0-9][-a-z0-9_]*$/;

/** Checks the component name the bucket's name is built from. */
export function assertModelStoreName(name: unknown): string {
  if (typeof name !== "string" || name.length > MODEL_STORE_NAME_MAX || !BUCKET_BASE.test(name)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "name",
      name,
      `a bucket name base: lowercase letters, digits, '-' and '_', at most ${MODEL_STORE_NAME_MAX} characters (Pulumi appends 8 to make the bucket name unique)`,
    );
  }
  return name;
}

/** Checks a model name: a folder name of a Triton-style model repository. */
export function assertModelName(model: unknown): string {
  if (typeof model !== "string" || !MODEL_NAME.test(model)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "uriFor(model)",
      model,
      "a model folder name: letters, digits, '_', '.' or '-', not starting with '.' or '-'",
    );
  }
  return model;
}

/** A model's repository folder: `gs://<bucket>/<prefix>/<model>`, after checking the name. */
export function modelUri(bucket: string, prefix: string, model: string): string {
  return `gs://${bucket}/${prefix}/${assertModelName(model)}`;
}
