import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnAll } from "../dependency";
import { assertCluster, assertWorkloadIdentity } from "./cluster-ref";
import { WORKLOAD_IDENTITY_ANNOTATION } from "./iam";
import { KMS_ENCRYPTER_DECRYPTER, storageServiceAgent } from "./kms";
import type { ModelStoreArgs } from "./model-store-args";
import {
  assertModelName,
  assertModelStoreName,
  modelUri,
  planModelStore,
} from "./model-store-plan";
import { serviceAccountId } from "./names";

/** The Kubernetes identity allowed to read a model store. */
export interface ModelReader {
  /** Namespace of the Kubernetes service account. */
  namespace: string;
  /** Name of the Kubernetes service account. */
  serviceAccountName: string;
  /** Annotations the service account needs: `iam.gke.io/gcp-service-account` → reader email. */
  annotations: pulumi.Output<Record<string, string>>;
}

/**
 * A model repository in Cloud Storage for serving pods on a GKE cluster: a private,
 * versioned bucket and a dedicated reader service account that one Kubernetes service account
 * may use through Workload Identity. `uriFor(model)` gives a model's `gs://` folder.
 */
export class ModelStore extends pulumi.ComponentResource {
  /** The bucket. */
  readonly bucket: storage.Bucket;
  /** The bucket name. */
  readonly bucketName: pulumi.Output<string>;
  /** The model repository folder inside the bucket. */
  readonly prefix: string;
  /** The GCP service account that reads models. */
  readonly readerServiceAccount: serviceaccount.Account;
  /** Its email. */
  readonly readerEmail: pulumi.Output<string>;
  /** The Kubernetes service account serving pods must run as, with its Workload Identity annotation. */
  readonly reader: ModelReader;

  /**
   * @param name logical name; also the base of the reader service account id.
   * @param args store settings, validated before anything is created.
   * @param opts resource options.
   */
  constructor(name: string, args: ModelStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = assertCluster("GcpModelStore", args?.cluster);
    assertModelStoreName(name);
    const plan = planModelStore(args, cluster);
    super("hybridai:index:GcpModelStore", name, {}, opts);
    this.prefix = plan.prefix;

    const keyGrant = plan.kmsKeyName
      ? new kms.CryptoKeyIAMMember(
          `${name}-cmek`,
          {
            cryptoKeyId: plan.kmsKeyName,
            role: KMS_ENCRYPTER_DECRYPTER,
            member: organizations
              .getProjectOutput({ projectId: cluster.project }, { parent: this })
              .apply((p) => storageServiceAgent(String(p.number))),
          },
          { parent: this },
        )
      : undefined;
    this.bucket = new storage.Bucket(name, plan.bucket, {
      parent: this,
      ...(keyGrant ? { dependsOn: [keyGrant] } : {}),
    });
    this.bucketName = this.bucket.name;

    this.readerServiceAccount = new serviceaccount.Account(
      `${name}-reader`,
      {
        project: cluster.project,
        accountId: serviceAccountId(name, "reader", cluster.region),
        displayName: `Model reader of ${name} (hybridai)`,
        description: `Reads the model repository; used by ${plan.reader.namespace}/${plan.reader.serviceAccountName} through Workload Identity.`,
      },
      { parent: this },
    );
    this.readerEmail = this.readerServiceAccount.email;

    new storage.BucketIAMMember(
      `${name}-reader-objects`,
      { bucket: this.bucket.name, role: plan.readerRole, member: this.readerServiceAccount.member },
      { parent: this },
    );
    // The member names the cluster's pool: a cluster without Workload Identity fails here, at
    // preview, naming the fix.
    const member = pulumi.all([cluster.name, cluster.workloadPool]).apply(([clusterName, pool]) => {
      assertWorkloadIdentity(
        "GcpModelStore",
        { clusterName, project: cluster.project, region: cluster.region, workloadPool: pool },
        "the reader's binding names the cluster's Workload Identity pool",
      );
      return plan.workloadIdentity.member;
    });
    new serviceaccount.IAMMember(
      `${name}-reader-workload-identity`,
      {
        serviceAccountId: this.readerServiceAccount.name,
        role: plan.workloadIdentity.role,
        member,
      },
      { parent: this, dependsOn: dependsOnAll(cluster.cluster ? [cluster.cluster] : []) },
    );

    this.reader = {
      namespace: plan.reader.namespace,
      serviceAccountName: plan.reader.serviceAccountName,
      annotations: this.readerEmail.apply(
        (email): Record<string, string> => ({ [WORKLOAD_IDENTITY_ANNOTATION]: email }),
      ),
    };
    this.registerOutputs({
      bucketName: this.bucketName,
      prefix: this.prefix,
      readerEmail: this.readerEmail,
      reader: this.reader,
    });
  }

  /** The repository folder of a model: `gs://<bucket>/<prefix>/<model>`. */
  uriFor(model: string): pulumi.Output<string> {
    assertModelName(model);
    return this.bucketName.apply((bucket) => modelUri(bucket, this.prefix, model));
  }
}
