import { Release } from "@pulumi/kubernetes/helm/v3";
import { ClusterRole, ClusterRoleBinding } from "@pulumi/kubernetes/rbac/v1";
import * as pulumi from "@pulumi/pulumi";
import type { ArgoRolloutsArgs } from "./argo-rollouts-args";
import { planArgoRollouts } from "./argo-rollouts-plan";

/**
 * Argo Rollouts, the progressive-delivery controller behind `OnnxService`'s `rollout`: the
 * pinned Helm chart (CRDs kept on uninstall), with the Gateway API traffic router plugin copied
 * into the controller pod and the cluster role that lets it rewrite HTTPRoute weights. One per
 * cluster; pass it in `rollout.waitFor` of the services that use it, so their Rollouts wait for
 * the CRDs and the controller.
 */
export class ArgoRollouts extends pulumi.ComponentResource {
  /** Helm release name (also the controller's service account). */
  readonly releaseName: pulumi.Output<string>;
  /** Namespace of the controller. */
  readonly namespace: pulumi.Output<string>;

  /**
   * @param name component name; also the Helm release name
   * @param args see {@link ArgoRolloutsArgs}
   * @param opts component resource options
   */
  constructor(
    name: string,
    args: ArgoRolloutsArgs = {},
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const plan = planArgoRollouts(name, args);
    super("hybridai:index:ArgoRollouts", name, {}, opts);
    const child = (...after: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
      parent: this,
      ...(args.provider ? { provider: args.provider } : {}),
      ...(after.length > 0 ? { dependsOn: after } : {}),
    });
    const release = new Release(name, plan.release, child());
    const role = new ClusterRole(`${name}-gateway-api-plugin`, plan.pluginRole, child());
    new ClusterRoleBinding(
      `${name}-gateway-api-plugin`,
      plan.pluginRoleBinding,
      child(role, release),
    );
    this.releaseName = release.name;
    this.namespace = pulumi.output(plan.namespace);
    this.registerOutputs({ releaseName: this.releaseName, namespace: this.namespace });
  }
}
