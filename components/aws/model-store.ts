import * as kms from "@pulumi/aws/kms";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { cloudName } from "../names";
import { IRSA_ANNOTATION } from "./addon-placement";
import { awsAccountOf } from "./aws-account";
import { assertEksClusterRef } from "./cluster-ref";
import { clusterRolePrefix } from "./eks-cluster-plan";
import { modelStoreReadPolicy, tlsOnlyBucketPolicy } from "./iam-policies";
import { createIrsaRole } from "./iam-roles";
import type { ModelStoreArgs } from "./model-store-args";
import { assertModelName, type ModelStorePlan, modelUri, planModelStore } from "./model-store-plan";

/** The service account that may read the store, ready to put on a serving pod. */
export interface ModelStoreReader {
  /** Namespace of the service account. */
  namespace: string;
  /** Name of the service account. */
  serviceAccountName: string;
  /** The IRSA annotation binding the service account to the reader role. */
  annotations: pulumi.Output<Record<string, string>>;
}

/**
 * An S3 model repository (Triton layout `<prefix><model>/<version>/model.onnx`): versioned,
 * SSE-KMS with a rotating key, public access blocked, TLS-only, old versions expired; and an
 * IRSA role that lets exactly one Kubernetes service account list and read the models, nothing more.
 */
export class ModelStore extends pulumi.ComponentResource {
  /** Bucket name. */
  readonly bucketName: pulumi.Output<string>;
  /** Bucket ARN. */
  readonly bucketArn: pulumi.Output<string>;
  /** ARN of the KMS key encrypting the models. */
  readonly kmsKeyArn: pulumi.Output<string>;
  /** ARN of the reader's IRSA role. */
  readonly readerRoleArn: pulumi.Output<string>;
  /** The reader service account. */
  readonly reader: ModelStoreReader;
  /** Key prefix of the repository. */
  readonly prefix: string;

  /**
   * @param name component name.
   * @param args store settings; validated before any resource is created.
   * @param opts resource options.
   */
  constructor(name: string, args: ModelStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertEksClusterRef("AwsModelStore", args?.cluster);
    const plan = planModelStore({
      prefix: args.prefix,
      noncurrentVersionDays: args.noncurrentVersionDays,
      readerNamespace: args.reader?.namespace,
      readerServiceAccountName: args.reader?.serviceAccountName,
    });
    super("hybridai:index:AwsModelStore", name, args, opts);
    const parent = { parent: this };
    const tags = args.tags ?? {};
    this.prefix = plan.prefix;

    const key = new kms.Key(
      `${name}-models`,
      {
        description: `Encryption of model store ${name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      parent,
    );
    const bucket = this.createBucket(name, plan, args.forceDestroy ?? false, key, tags);
    const role = createIrsaRole(`${name}-reader`, {
      parent: this,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuer: cluster.oidcIssuer,
      namespace: plan.reader.namespace,
      serviceAccountName: plan.reader.serviceAccountName,
      permissions: pulumi
        .all([bucket.arn, key.arn, awsAccountOf(this).region])
        .apply(([bucketArn, kmsKeyArn, region]) =>
          modelStoreReadPolicy({ bucketArn, kmsKeyArn, prefix: plan.prefix, region }),
        ),
      namePrefix: clusterRolePrefix(name, "reader"),
      policyName: "model-store-read",
      component: "AwsModelStore",
      tags,
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.readerRoleArn = role.arn;
    this.reader = {
      ...plan.reader,
      annotations: role.arn.apply((arn): Record<string, string> => ({ [IRSA_ANNOTATION]: arn })),
    };
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
      readerRoleArn: this.readerRoleArn,
    });
  }

  /**
   * The bucket with its settings: owner-enforced objects, public access blocked, versioning,
   * SSE-KMS with `key`, the lifecycle rules and the TLS-only policy (after the access block).
   */
  private createBucket(
    name: string,
    plan: ModelStorePlan,
    forceDestroy: boolean,
    key: kms.Key,
    tags: Record<string, string>,
  ): s3.Bucket {
    const parent = { parent: this };
    const bucket = new s3.Bucket(
      name,
      {
        bucketPrefix: bucketPrefixFor(name),
        forceDestroy,
        tags,
      },
      parent,
    );
    new s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    const publicAccess = new s3.BucketPublicAccessBlock(
      name,
      { bucket: bucket.id, ...plan.publicAccessBlock },
      parent,
    );
    new s3.BucketVersioning(
      name,
      { bucket: bucket.id, versioningConfiguration: { status: plan.versioning } },
      parent,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: plan.encryption.sseAlgorithm,
              kmsMasterKeyId: key.arn,
            },
            bucketKeyEnabled: plan.encryption.bucketKeyEnabled,
          },
        ],
      },
      parent,
    );
    new s3.BucketLifecycleConfiguration(
      name,
      { bucket: bucket.id, rules: plan.lifecycleRules },
      parent,
    );
    new s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
      },
      { parent: this, dependsOn: [publicAccess] },
    );
    return bucket;
  }

  /** The `s3://` URI of a model's folder in the repository, e.g. `s3://bucket/models/ranker`. */
  uriFor(model: string): pulumi.Output<string> {
    assertModelName(model);
    return this.bucketName.apply((bucket) => modelUri(bucket, this.prefix, model));
  }
}

/** Longest S3 `bucketPrefix` (63 minus the 26-character unique suffix AWS appends). */
export const S3_BUCKET_PREFIX_MAX = 37;

/**
 * The bucket's `bucketPrefix`: the component name in S3's alphabet (lowercase letters, digits,
 * `-`), within 37 characters; S3 appends a unique suffix, since bucket names are global.
 */
export function bucketPrefixFor(name: string): string {
  const clean =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "models";
  return cloudName({ scope: clean, max: S3_BUCKET_PREFIX_MAX, trailingDash: true });
}
