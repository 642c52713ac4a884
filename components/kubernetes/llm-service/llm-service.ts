import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import { type ChildOptions, childOptions, withDependsOn } from "../../dependency";
import type { ExposurePlan } from "../onnx-service/exposure-plan";
import { createExposure } from "../onnx-service/exposure-resources";
import type { LlmServiceArgs } from "./llm-service-args";
import { type LlmServicePlan, planLlmService } from "./llm-service-plan";

/**
 * vLLM's OpenAI-compatible server on NVIDIA GPUs (EKS fleets and node groups, GKE GPU pools) or
 * a single-host GKE TPU slice, from the same accelerator spec: tensor parallelism over the pod's
 * accelerators, a memory-backed `/dev/shm`, weights streamed from a model store with the pods'
 * identity (or downloaded from the Hugging Face Hub into a cache), a startup probe whose budget
 * fits a cold weight load, readiness on `/health`, `pulumi up` waits that fit; a Service, a
 * disruption budget, a network policy, and optionally KEDA scaling on vLLM's queue, a
 * ServiceMonitor with alerting rules and a dashboard, Argo Rollouts canary analysis on vLLM's
 * metrics and a load balancer. Every argument is validated by {@link planLlmService} first.
 */
export class LlmService extends pulumi.ComponentResource {
  /** Name of the Service clients call. */
  readonly serviceName: pulumi.Output<string>;
  /** Cluster-internal OpenAI API base URL, `http://<service>.<namespace>.svc.cluster.local:<port>/v1`. */
  readonly url: pulumi.Output<string>;
  /** Namespace of every object. */
  readonly namespace: pulumi.Output<string>;
  /** The name clients pass as `model`. */
  readonly servedModelName: pulumi.Output<string>;
  /** The load balancer's hostname (AWS) or IP address (GKE); `""` when not exposed. */
  readonly publicAddress: pulumi.Output<string>;

  /**
   * @param name component name; also the Kubernetes name of its objects unless `args.name` is set
   * @param args see {@link LlmServiceArgs}
   * @param opts component resource options
   */
  constructor(name: string, args: LlmServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planLlmService(args.name ?? name, args);
    super("hybridai:index:LlmService", name, {}, opts);
    const child = childOptions(this, opts, args.provider, args.capacity?.waitFor);
    // Everything that waits for ready pods gets the rollout budget: a node, the image, the weights.
    const waitsForPods: ChildOptions = (...later) => ({
      ...child(...later),
      customTimeouts: { create: plan.rolloutTimeout, update: plan.rolloutTimeout },
    });
    const account = plan.serviceAccount
      ? [new ServiceAccount(name, plan.serviceAccount, child())]
      : [];
    const deployment = new Deployment(name, plan.deployment, waitsForPods(...account));
    const service = new Service(name, plan.service, waitsForPods());
    new PodDisruptionBudget(name, plan.disruptionBudget, child());
    new NetworkPolicy(name, plan.networkPolicy, child());
    if (plan.serviceMonitor) new CustomResource(name, plan.serviceMonitor, child(service));
    if (plan.alertRules) new CustomResource(name, plan.alertRules, child());
    if (plan.dashboard) new ConfigMap(`${name}-dashboard`, plan.dashboard, child());
    const scaled = plan.rollout
      ? this.createRollout(name, plan, args, child, waitsForPods, deployment, service)
      : deployment;
    if (plan.scaledObject) {
      new CustomResource(
        name,
        plan.scaledObject,
        withDependsOn(child(scaled), args.autoscaling?.waitFor),
      );
    }
    this.publicAddress = plan.exposure
      ? this.expose(name, plan.exposure, args, waitsForPods, child)
      : pulumi.output("");
    this.serviceName = service.metadata.name;
    this.namespace = pulumi.output(plan.namespace);
    this.servedModelName = pulumi.output(plan.servedName);
    this.url = pulumi.interpolate`http://${this.serviceName}.${plan.namespace}.svc.cluster.local:${plan.port}/v1`;
    this.registerOutputs({
      serviceName: this.serviceName,
      url: this.url,
      namespace: this.namespace,
      servedModelName: this.servedModelName,
      publicAddress: this.publicAddress,
    });
  }

  /** The Argo Rollouts objects; the Rollout waits for what it adopts and rewrites, and the controller. */
  private createRollout(
    name: string,
    plan: LlmServicePlan,
    args: LlmServiceArgs,
    child: ChildOptions,
    waitsForPods: ChildOptions,
    deployment: Deployment,
    service: Service,
  ): CustomResource {
    const rollout = plan.rollout as NonNullable<LlmServicePlan["rollout"]>;
    const canaryService = new Service(`${name}-canary`, rollout.canaryService, child());
    new Service(`${name}-metrics`, rollout.metricsService, child());
    const route = new CustomResource(name, rollout.route, child(service, canaryService));
    const template = new CustomResource(
      name,
      rollout.analysisTemplate,
      withDependsOn(child(), args.rollout?.waitFor),
    );
    return new CustomResource(
      name,
      rollout.rollout,
      withDependsOn(
        waitsForPods(deployment, service, canaryService, route, template),
        args.rollout?.waitFor,
      ),
    );
  }

  /** Creates the exposure's objects (after `exposure.waitFor`) and returns the public address. */
  private expose(
    name: string,
    exposure: ExposurePlan,
    args: LlmServiceArgs,
    waitsForPods: ChildOptions,
    child: ChildOptions,
  ): pulumi.Output<string> {
    const waitFor = args.exposure?.waitFor;
    const options: ChildOptions = (...after) => withDependsOn(child(...after), waitFor);
    return createExposure(name, exposure, withDependsOn(waitsForPods(), waitFor), options);
  }
}
