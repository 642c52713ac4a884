import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import { assertKubernetesName } from "./names";

const COMPONENT = "AwsModelStore";

/** The plain settings of a model store. */
export interface ModelStoreSpec {
  /** Key prefix of the model repository. Default `models/`. */
  prefix?: string;
  /** Days a replaced or deleted model version is kept. Default 30. */
  noncurrentVersionDays?: number;
  /** Namespace of the one service account allowed to read. Default `hybridai`. */
  readerNamespace?: string;
  /** Name of that service account. Default `model-reader`. */
  readerServiceAccountName?: string;
}

/** A validated model store plan. */
export interface ModelStorePlan {
  /** Key prefix, ending in `/`. */
  prefix: string;
  /** The reader service account. */
  reader: { namespace: string; serviceAccountName: string };
  /** Versioning status. */
  versioning: "Enabled";
  /** Default encryption: SSE-KMS with an S3 bucket key (fewer KMS requests, lower cost). */
  encryption: { sseAlgorithm: "aws:kms"; bucketKeyEnabled: true };
  /** Every public access setting blocked. */
  publicAccessBlock: {
    blockPublicAcls: true;
    blockPublicPolicy: true;
    ignorePublicAcls: true;
    restrictPublicBuckets: true;
  };
  /** Lifecycle rules: expire old versions, abort stale multipart uploads, clean delete markers. */
  lifecycleRules: {
    id: string;
    status: "Enabled";
    filter: Record<string, never>;
    noncurrentVersionExpiration?: { noncurrentDays: number };
    abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
    expiration?: { expiredObjectDeleteMarker: true };
  }[];
}

const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

/**
 * Validates a model store spec and applies defaults. Throws {@link HybridAiConfigError} for a
 * prefix that is not `segment/…/`, a retention outside 1–3650 days, or a bad service account.
 */
export function planModelStore(spec: ModelStoreSpec): ModelStorePlan {
  const prefix = spec.prefix ?? "models/";
  if (!PREFIX.test(prefix)) {
    throw new HybridAiConfigError(
      COMPONENT,
      "prefix",
      prefix,
      "empty, or path segments each ending in '/', e.g. models/",
    );
  }
  const days = assertWholeNumber(
    COMPONENT,
    "noncurrentVersionDays",
    spec.noncurrentVersionDays ?? 30,
    1,
    3650,
    "a whole number of days from 1 to 3650",
  );
  return {
    prefix,
    reader: {
      namespace: assertKubernetesName(
        COMPONENT,
        "reader.namespace",
        spec.readerNamespace ?? "hybridai",
      ),
      serviceAccountName: assertKubernetesName(
        COMPONENT,
        "reader.serviceAccountName",
        spec.readerServiceAccountName ?? "model-reader",
      ),
    },
    versioning: "Enabled",
    encryption: { sseAlgorithm: "aws:kms", bucketKeyEnabled: true },
    publicAccessBlock: {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    lifecycleRules: [
      {
        id: "expire-old-model-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: days },
      },
      {
        id: "abort-stale-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      {
        id: "remove-expired-delete-markers",
        status: "Enabled",
        filter: {},
        expiration: { expiredObjectDeleteMarker: true },
      },
    ],
  };
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Checks a model name (a Triton model repository folder); throws {@link HybridAiConfigError} otherwise. */
export function assertModelName(model: unknown): string {
  if (typeof model !== "string" || !MODEL_NAME.test(model) || model.includes("..")) {
    throw new HybridAiConfigError(
      COMPONENT,
      "model",
      model,
      "a model name of letters, digits, '_', '-' and '.', at most 128 characters",
    );
  }
  return model;
}

/** The `s3://` URI of a model's repository folder. */
export function modelUri(bucket: string, prefix: string, model: string): string {
  return `s3://${bucket}/${prefix}${assertModelName(model)}`;
}
