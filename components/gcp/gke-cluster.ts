import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { Dependency } from "../dependency";
import { type GkeClusterRef, withNodeServiceAccount } from "./cluster-ref";
import { ExistingGkeCluster } from "./existing-gke-cluster";
import type { ExistingGkeClusterArgs } from "./existing-gke-cluster-args";
import type { GkeClusterArgs } from "./gke-cluster-args";
import { type GkeClusterPlan, planGkeCluster } from "./gke-cluster-plan";
import { NODE_SERVICE_ACCOUNT_ROLES, workloadPool } from "./iam";
import { gkeServiceAgent, KMS_ENCRYPTER_DECRYPTER } from "./kms";
import { gkeKubeconfig } from "./kubeconfig";
import { serviceAccountId } from "./names";

/**
 * A regional GKE Standard cluster for AI inference: private nodes, Workload Identity, a release
 * channel, shielded nodes, Dataplane V2, logging and monitoring of system components and
 * workloads, optional CMEK for etcd secrets, the default node pool removed, a small system
 * node pool run by a dedicated least-privilege service account, and a Cloud NAT for image pulls. Add accelerators with
 * {@link GpuNodePool} and {@link TpuNodePool}.
 */
export class GkeCluster extends pulumi.ComponentResource implements GkeClusterRef {
  /**
   * An existing GKE cluster, looked up by name, to add node pools and model stores to: the same
   * as `new gcp.ExistingGkeCluster(name, args, opts)`.
   * @param name component name.
   * @param args the cluster's name, project and region, and overrides.
   * @param opts resource options.
   */
  static get(
    name: string,
    args: ExistingGkeClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ): ExistingGkeCluster {
    return new ExistingGkeCluster(name, args, opts);
  }

  /** The GKE cluster. */
  readonly cluster: container.Cluster;
  /** The GKE cluster name (known before deployment). */
  readonly clusterName: string;
  /** The cluster name, once the cluster exists. */
  readonly name: pulumi.Output<string>;
  /** The control plane address (the private one when `privateEndpoint` is on). */
  readonly endpoint: pulumi.Output<string>;
  /** The project id. */
  readonly project: string;
  /** The region. */
  readonly region: string;
  /** The Workload Identity pool, `<project>.svc.id.goog`. */
  readonly workloadPool: string;
  /** The service account every node pool of this cluster runs as unless told otherwise. */
  readonly nodeServiceAccount: serviceaccount.Account;
  /** Its email. */
  readonly nodeServiceAccountEmail: pulumi.Output<string>;
  /** The system node pool. */
  readonly systemNodePool: container.NodePool;
  /** What every node pool of the cluster waits for: the Cloud NAT its nodes pull images through. */
  readonly nodeDependencies: Dependency[];
  /** A kubeconfig using `gke-gcloud-auth-plugin` (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster, ready once the system node pool exists. */
  readonly provider: Provider;

  /**
   * @param name logical name; also the base of the node service account id.
   * @param args cluster settings, validated before anything is created.
   * @param opts resource options; pass a `gcp` provider here to target another project.
   */
  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planGkeCluster({ ...args, clusterName: args?.clusterName ?? name });
    super("hybridai:index:GcpGkeCluster", name, {}, opts);

    this.project = args.project;
    this.region = args.region;
    this.clusterName = plan.cluster.name as string;
    this.nodeServiceAccount = new serviceaccount.Account(
      `${name}-nodes`,
      {
        project: args.project,
        accountId: serviceAccountId(this.clusterName, "nodes", args.region),
        displayName: `GKE nodes of ${this.clusterName} (hybridai)`,
        description: "Least-privilege node identity: writes logs and metrics only.",
      },
      { parent: this },
    );
    this.nodeServiceAccountEmail = this.nodeServiceAccount.email;
    this.workloadPool = workloadPool(args.project);

    const roleGrants = NODE_SERVICE_ACCOUNT_ROLES.map(
      (role) =>
        new projects.IAMMember(
          `${name}-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
          { project: args.project, role, member: this.nodeServiceAccount.member },
          { parent: this },
        ),
    );

    const keyGrants = plan.databaseEncryptionKey
      ? [
          new kms.CryptoKeyIAMMember(
            `${name}-gke-cmek`,
            {
              cryptoKeyId: plan.databaseEncryptionKey,
              role: KMS_ENCRYPTER_DECRYPTER,
              member: organizations
                .getProjectOutput({ projectId: args.project }, { parent: this })
                .apply((p) => gkeServiceAgent(String(p.number))),
            },
            { parent: this },
          ),
        ]
      : [];

    const nodeConfig = { ...plan.cluster.nodeConfig, serviceAccount: this.nodeServiceAccountEmail };
    this.cluster = new container.Cluster(
      name,
      { ...plan.cluster, nodeConfig },
      {
        parent: this,
        dependsOn: [...roleGrants, ...keyGrants],
        ignoreChanges: ["initialNodeCount", "nodeConfig"],
      },
    );
    this.name = this.cluster.name;
    this.endpoint = this.cluster.endpoint;

    const nodeDependencies = plan.egress ? [this.egress(name, plan.egress)] : [];
    this.nodeDependencies = nodeDependencies;
    this.systemNodePool = new container.NodePool(
      `${name}-system`,
      withNodeServiceAccount(plan.systemNodePool, this.cluster.name, this.nodeServiceAccountEmail),
      { parent: this, ignoreChanges: ["initialNodeCount"], dependsOn: nodeDependencies },
    );

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
        .apply(([clusterName, endpoint, auth]) =>
          gkeKubeconfig({
            name: `gke_${args.project}_${args.region}_${clusterName}`,
            endpoint,
            clusterCaCertificate: auth.clusterCaCertificate ?? "",
          }),
        ),
    );
    this.provider = new Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [this.systemNodePool] },
    );

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      workloadPool: this.workloadPool,
      nodeServiceAccountEmail: this.nodeServiceAccountEmail,
      kubeconfig: this.kubeconfig,
    });
  }

  /** The Cloud Router and Cloud NAT that give the private nodes egress. */
  private egress(name: string, plan: NonNullable<GkeClusterPlan["egress"]>): compute.RouterNat {
    const router = new compute.Router(`${name}-nat-router`, plan.router, { parent: this });
    return new compute.RouterNat(
      `${name}-nat`,
      { ...plan.nat, router: router.name },
      { parent: this },
    );
  }
}
