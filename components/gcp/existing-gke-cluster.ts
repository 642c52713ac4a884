import * as container from "@pulumi/gcp/container";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { Dependency } from "../dependency";
import type { GkeClusterRef } from "./cluster-ref";
import type { ExistingGkeClusterArgs } from "./existing-gke-cluster-args";
import { existingGkeClusterAttributes, planExistingGkeCluster } from "./existing-gke-cluster-plan";
import { NODE_SERVICE_ACCOUNT_ROLES } from "./iam";
import { gkeKubeconfig } from "./kubeconfig";

/**
 * A GKE cluster this program did not create, looked up by name, so `gcp.GpuNodePool`,
 * `gcp.TpuNodePool` and `gcp.ModelStore` can add node pools and model stores to it exactly as to
 * a `gcp.GkeCluster`. Reads the endpoint, CA, Workload Identity pool and mode from GKE; creates a
 * least-privilege node service account unless one is given, and a Kubernetes provider. Also
 * reached as `gcp.GkeCluster.get(name, args)`.
 */
export class ExistingGkeCluster extends pulumi.ComponentResource implements GkeClusterRef {
  /** The GKE cluster name (known before deployment). */
  readonly clusterName: string;
  /** The cluster name GKE reports. */
  readonly name: pulumi.Output<string>;
  /** The project id. */
  readonly project: string;
  /** The region. */
  readonly region: string;
  /** Control plane address. */
  readonly endpoint: pulumi.Output<string>;
  /** The Workload Identity pool GKE reports (`""` when it is off). */
  readonly workloadPool: pulumi.Output<string>;
  /** Whether it is an Autopilot cluster (which takes no node pools). */
  readonly autopilot: pulumi.Output<boolean>;
  /** The node service account, when this component created it. */
  readonly nodeServiceAccount?: serviceaccount.Account;
  /** Email of the service account node pools run as. */
  readonly nodeServiceAccountEmail: pulumi.Output<string>;
  /** What node pools wait for: the created node service account's role grants. */
  readonly nodeDependencies: Dependency[];
  /** A kubeconfig using `gke-gcloud-auth-plugin` (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** A Kubernetes provider for the cluster. */
  readonly provider: Provider;

  /**
   * @param name component name.
   * @param args the cluster's name, project and region, and overrides; validated before anything
   *   is looked up.
   * @param opts resource options; pass a `gcp` provider here to use other credentials.
   */
  constructor(name: string, args: ExistingGkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planExistingGkeCluster({
      clusterName: args?.clusterName,
      project: args?.project,
      region: args?.region,
      nodeServiceAccountEmail: args?.nodeServiceAccountEmail,
      uniqueIn: `${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    super("hybridai:index:GcpExistingGkeCluster", name, {}, opts);
    this.clusterName = plan.clusterName;
    this.project = plan.project;
    this.region = plan.region;

    const found = container
      .getClusterOutput(
        { name: plan.clusterName, location: plan.region, project: plan.project },
        { parent: this },
      )
      .apply((cluster) => existingGkeClusterAttributes(cluster));
    this.name = found.name;
    this.endpoint = pulumi.output(args.endpoint ?? found.endpoint);
    this.workloadPool = found.workloadPool;
    this.autopilot = found.autopilot;

    if (plan.nodeServiceAccountId) {
      this.nodeServiceAccount = new serviceaccount.Account(
        `${name}-nodes`,
        {
          project: plan.project,
          accountId: plan.nodeServiceAccountId,
          displayName: `GKE nodes hybridai adds to ${plan.clusterName}`,
          description: "Least-privilege node identity: writes logs and metrics only.",
        },
        { parent: this },
      );
      this.nodeServiceAccountEmail = this.nodeServiceAccount.email;
      const member = this.nodeServiceAccount.member;
      this.nodeDependencies = NODE_SERVICE_ACCOUNT_ROLES.map(
        (role) =>
          new projects.IAMMember(
            `${name}-nodes-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
            { project: plan.project, role, member },
            { parent: this },
          ),
      );
    } else {
      this.nodeServiceAccountEmail = pulumi.output(
        args.nodeServiceAccountEmail as pulumi.Input<string>,
      );
      this.nodeDependencies = [];
    }

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.endpoint, args.clusterCaCertificate ?? found.clusterCaCertificate])
        .apply(([endpoint, clusterCaCertificate]) =>
          gkeKubeconfig({
            name: `gke_${plan.project}_${plan.region}_${plan.clusterName}`,
            endpoint,
            clusterCaCertificate,
          }),
        ),
    );
    this.provider =
      args.provider ??
      new Provider(
        `${name}-k8s`,
        { kubeconfig: this.kubeconfig, enableServerSideApply: true },
        { parent: this },
      );

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      workloadPool: this.workloadPool,
      nodeServiceAccountEmail: this.nodeServiceAccountEmail,
      kubeconfig: this.kubeconfig,
    });
  }
}
