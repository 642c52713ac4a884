import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { HorizontalPodAutoscaler } from "@pulumi/kubernetes/autoscaling/v2";
import { ConfigMap, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import { dependsOnAll } from "../../dependency";
import { EXPOSURE_SUFFIX } from "./exposure-plan";
import type { OnnxServiceArgs } from "./onnx-service-args";
import { type OnnxServicePlan, planOnnxService } from "./onnx-service-plan";
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
    const inherited = pulumi.output(opts.dependsOn ?? []);
    const capacity = pulumi.output(dependsOnAll(args.capacity?.waitFor));
    const child = (...after: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
      parent: this,
      ...(args.provider ? { provider: args.provider } : {}),
      dependsOn: pulumi
        .all([inherited, capacity])
        .apply(([d, nodes]) => [...(Array.isArray(d) ? d : [d]), ...nodes, ...after]),
    });
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
    const exposed = this.expose(name, plan, args, child, podsReady);
    this.publicAddress = exposed.address;
    this.publicUrl = exposed.address.apply((address) => {
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
    child: (...after: pulumi.Resource[]) => pulumi.CustomResourceOptions,
    selectsPods: (...after: pulumi.Resource[]) => pulumi.CustomResourceOptions,
    deployment: Deployment,
    service: Service,
  ): CustomResource {
    const controller = pulumi.output(dependsOnAll(args.rollout?.waitFor));
    const afterController = (...after: pulumi.Resource[]): pulumi.CustomResourceOptions => {
      const options = child(...after);
      return {
        ...options,
        dependsOn: pulumi
          .all([pulumi.output(options.dependsOn as pulumi.Input<pulumi.Resource[]>), controller])
          .apply(([before, installed]) => [...before, ...installed]),
      };
    };
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
    plan: OnnxServicePlan,
    args: OnnxServiceArgs,
    child: (...after: pulumi.Resource[]) => pulumi.CustomResourceOptions,
    podsReady: (options: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): { address: pulumi.Output<string> } {
    if (!plan.exposure) return { address: pulumi.output("") };
    const waitFor = pulumi.output(dependsOnAll(args.exposure?.waitFor));
    const opts = (): pulumi.CustomResourceOptions => {
      const base = child();
      return {
        ...base,
        dependsOn: pulumi
          .all([pulumi.output(base.dependsOn ?? []), waitFor])
          .apply(([d, w]) => [...(Array.isArray(d) ? d : [d]), ...w]),
      };
    };
    const publicName = `${name}${EXPOSURE_SUFFIX}`;
    if (plan.exposure.service) {
      const lb = new Service(publicName, plan.exposure.service, podsReady(opts()));
      return {
        address: lb.status.apply(
          (status) =>
            status?.loadBalancer?.ingress?.[0]?.hostname ??
            status?.loadBalancer?.ingress?.[0]?.ip ??
            "",
        ),
      };
    }
    const planned = plan.exposure.gateway as NonNullable<typeof plan.exposure.gateway>;
    // `status` registered as an output so the Gateway's assigned address can be read back.
    const gateway = new CustomResource(
      publicName,
      { ...planned.gateway, status: undefined },
      opts(),
    );
    new CustomResource(publicName, planned.route, { ...opts(), dependsOn: [gateway] });
    new CustomResource(publicName, planned.healthCheck, opts());
    if (planned.backendPolicy) new CustomResource(publicName, planned.backendPolicy, opts());
    const status = (gateway as unknown as { status: pulumi.Output<GatewayStatus | undefined> })
      .status;
    return { address: status.apply((s) => s?.addresses?.[0]?.value ?? "") };
  }
}

/** The part of a Gateway's status that names its addresses. */
interface GatewayStatus {
  addresses?: { value?: string }[];
}
