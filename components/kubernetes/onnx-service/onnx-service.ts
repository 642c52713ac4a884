import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { HorizontalPodAutoscaler } from "@pulumi/kubernetes/autoscaling/v2";
import { ConfigMap, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import { type ChildOptions, childOptions, withDependsOn } from "../../dependency";
import type { ExposurePlan } from "./exposure-plan";
import { createExposure } from "./exposure-resources";
import type { OnnxServiceArgs } from "./onnx-service-args";
import { planOnnxService } from "./onnx-service-plan";
import type { RolloutPlan } from "./rollout-plan";

/**
 * The hybridai serving runtime on any Kubernetes cluster (EKS, GKE, k3s): a Deployment whose
 * init container pulls the model with the pod's cloud identity, probes on the Open Inference
 * Protocol health endpoints, GPU and spot placement, a hardened pod, a Service, an autoscaler,
 * a disruption budget, a network policy, and optionally a ServiceMonitor with its alerting rules
 * and Grafana dashboard, a weighted canary, or
 * an Argo Rollouts rollout that canaries every new version and rolls it back on bad metrics, and
 * a Gateway mirror copying every request to a second Service.
 * Every argument is validated by {@link planOnnxService} before anything registers. The
 * component's `dependsOn` (e.g. the namespace) and `capacity.waitFor` (the GPU nodes and device
 * plugin) apply to every object it creates; a GPU Deployment's rollout may take 30 minutes, and
 * so may every Service selecting its pods (the provider awaits their endpoints).
 */
export class OnnxService extends pulumi.ComponentResource {
  /** Name of the Service clients call. */
  readonly serviceName: pulumi.Output<string>;
  /** Cluster-internal URL, `http://<service>.<namespace>.svc.cluster.local:<port>`. */
  readonly url: pulumi.Output<string>;
  /** Namespace of every object. */
  readonly namespace: pulumi.Output<string>;
  /**
   * The load balancer's public hostname (AWS NLB) or IP address (GKE), once the cloud assigned
   * it; `""` when the service is not exposed. A Gateway's address appears in its status some
   * time after creation: reserve a static address (`exposure.gcpAddressName`) to know it up front.
   */
  readonly publicAddress: pulumi.Output<string>;
  /** `https://<publicAddress>[:port]` (or `http://`), `""` when not exposed. */
  readonly publicUrl: pulumi.Output<string>;
  /**
   * Cluster-internal gRPC target, `<service>.<namespace>.svc.cluster.local:<grpc port>` (what
   * `tritonclient.grpc` takes as `url`), `""` when gRPC is off.
   */
  readonly grpcAddress: pulumi.Output<string>;

  /**
   * @param name component name; also the Kubernetes name of its objects unless `args.name` is set
   * @param args see {@link OnnxServiceArgs}
   * @param opts component resource options
   */
  constructor(name: string, args: OnnxServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planOnnxService(args.name ?? name, args);
    super("hybridai:index:OnnxService", name, {}, opts);
    const child = childOptions(this, opts, args.provider, args.capacity?.waitFor);
    // The Deployments' rollout budget, also given to every Service that selects their pods: the
    // provider awaits such a Service until the same pods are ready (its endpoints).
    const podsReady = (options: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({
      ...options,
      ...(plan.rolloutTimeout
        ? { customTimeouts: { create: plan.rolloutTimeout, update: plan.rolloutTimeout } }
        : {}),
    });
    const rollout = (...after: pulumi.Resource[]) => podsReady(child(...after));
    const account = plan.serviceAccount
      ? [new ServiceAccount(name, plan.serviceAccount, child())]
      : [];
    const deployment = new Deployment(name, plan.deployment, rollout(...account));
    const service = new Service(name, plan.service, rollout());
    const scaled = plan.rollout
      ? this.createRollout(name, plan.rollout, args, child, rollout, deployment, service)
      : deployment;
    new HorizontalPodAutoscaler(name, plan.autoscaler, child(scaled));
    new PodDisruptionBudget(name, plan.disruptionBudget, child());
    new NetworkPolicy(name, plan.networkPolicy, child());
    if (plan.serviceMonitor) {
      new CustomResource(name, plan.serviceMonitor, child(service));
    }
    if (plan.alertRules) new CustomResource(name, plan.alertRules, child());
    if (plan.dashboard) new ConfigMap(`${name}-dashboard`, plan.dashboard, child());
    if (plan.mirror?.route) {
      new CustomResource(name, plan.mirror.route, child(service));
    }
    if (plan.mirror?.referenceGrant) {
      new CustomResource(`${name}-mirror`, plan.mirror.referenceGrant, child());
    }
    if (plan.canary) {
      new Deployment(`${name}-canary`, plan.canary.deployment, rollout(...account));
      const canaryService = new Service(`${name}-canary`, plan.canary.service, rollout());
      new CustomResource(name, plan.canary.route, child(service, canaryService));
    }
    this.publicAddress = plan.exposure
      ? this.expose(name, plan.exposure, args, child, podsReady)
      : pulumi.output("");
    this.publicUrl = this.publicAddress.apply((address) => {
      if (!plan.exposure || address === "") return "";
      const { scheme, port } = plan.exposure;
      const standard = (scheme === "https" && port === 443) || (scheme === "http" && port === 80);
      return `${scheme}://${address}${standard ? "" : `:${port}`}`;
    });
    this.serviceName = service.metadata.name;
    this.namespace = pulumi.output(plan.namespace);
    this.url = pulumi.interpolate`http://${this.serviceName}.${plan.namespace}.svc.cluster.local:${plan.port}`;
    this.grpcAddress =
      plan.grpcPort === undefined
        ? pulumi.output("")
        : pulumi.interpolate`${this.serviceName}.${plan.namespace}.svc.cluster.local:${plan.grpcPort}`;
    this.registerOutputs({
      serviceName: this.serviceName,
      url: this.url,
      namespace: this.namespace,
      publicAddress: this.publicAddress,
      publicUrl: this.publicUrl,
      grpcAddress: this.grpcAddress,
    });
  }

  /**
   * The Argo Rollouts objects: the canary and metrics Services, the route Argo shifts, the
   * AnalysisTemplate and the Rollout, which waits for the Deployment it adopts, the Services and
   * route it rewrites, its template and `rollout.waitFor` (the controller and its CRDs).
   */
  private createRollout(
    name: string,
    plan: RolloutPlan,
    args: OnnxServiceArgs,
    child: ChildOptions,
    selectsPods: ChildOptions,
    deployment: Deployment,
    service: Service,
  ): CustomResource {
    const afterController: ChildOptions = (...after) =>
      withDependsOn(child(...after), args.rollout?.waitFor);
    const canaryService = new Service(`${name}-canary`, plan.canaryService, selectsPods());
    new Service(`${name}-metrics`, plan.metricsService, selectsPods());
    const route = new CustomResource(name, plan.route, child(service, canaryService));
    const template = new CustomResource(name, plan.analysisTemplate, afterController());
    return new CustomResource(
      name,
      plan.rollout,
      afterController(deployment, service, canaryService, route, template),
    );
  }
  /**
   * Creates the exposure's objects (after `exposure.waitFor`) and returns the public address; the
   * load balancer Service gets the pods' rollout budget (`podsReady`).
   */
  private expose(
    name: string,
    exposure: ExposurePlan,
    args: OnnxServiceArgs,
    child: ChildOptions,
    podsReady: (options: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): pulumi.Output<string> {
    const options: ChildOptions = (...after) =>
      withDependsOn(child(...after), args.exposure?.waitFor);
    return createExposure(name, exposure, podsReady(options()), options);
  }
}
