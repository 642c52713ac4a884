import { Release } from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import type { KedaArgs } from "./keda-args";
import { planKeda } from "./keda-plan";

/**
 * KEDA, the event-driven autoscaler behind `LlmService`'s `autoscaling`: the pinned Helm chart
 * with its CRDs, operator and metrics server. One per cluster; pass it in
 * `autoscaling.waitFor` of the services that use it, so their ScaledObjects wait for the CRDs.
 */
export class Keda extends pulumi.ComponentResource {
  /** Helm release name. */
  readonly releaseName: pulumi.Output<string>;
  /** Namespace of the operator. */
  readonly namespace: pulumi.Output<string>;

  /**
   * @param name component name; also the Helm release name
   * @param args see {@link KedaArgs}
   * @param opts component resource options
   */
  constructor(name: string, args: KedaArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planKeda(name, args);
    super("hybridai:index:Keda", name, {}, opts);
    const release = new Release(name, plan.release, {
      parent: this,
      ...(args.provider ? { provider: args.provider } : {}),
    });
    this.releaseName = release.name;
    this.namespace = pulumi.output(plan.namespace);
    this.registerOutputs({ releaseName: this.releaseName, namespace: this.namespace });
  }
}
