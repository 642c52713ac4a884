import { StatefulSet } from "@pulumi/kubernetes/apps/v1";
import { Namespace, Secret, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1";
import { RuntimeClass } from "@pulumi/kubernetes/node/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { NvidiaDevicePlugin } from "../kubernetes/nvidia-device-plugin";
import type { EdgeFleetArgs } from "./edge-fleet-args";
import { type EdgeSitePlan, planEdgeFleet } from "./edge-fleet-plan";

/** What one site runs, as the fleet's outputs report it. */
export interface EdgeSiteStatus {
  /** Rollout ring. */
  ring: number;
  /** Region label. */
  region: string;
  /** Device architecture. */
  arch: string;
  /** Model revision of the site's ready StatefulSet. */
  modelRevision: string;
  /** Runtime image of the site's ready StatefulSet. */
  image: string;
  /** Cluster-internal URL of the service on the site. */
  url: string;
}

/**
 * The serving runtime on a fleet of edge Kubernetes sites (k3s, k0s, MicroK8s), one Kubernetes
 * provider per site, rolled out ring by ring: every serving object of ring N depends on the
 * StatefulSets of ring N-1 (a GPU site's device plugin, site infrastructure, does not wait). The
 * Kubernetes provider reports a StatefulSet created or updated only when all its replicas are
 * ready and its current revision is the update revision (the fleet never sets
 * `pulumi.com/skipAwait`), so a model or image that does not become ready fails at the canary ring
 * and later rings keep their previous version. Each site's objects come from the same
 * `planOnnxService` as the cloud, its Deployment turned into a StatefulSet with a model cache
 * claim per replica by `planEdgeStatefulSet`; every argument is validated by
 * {@link planEdgeFleet} before anything registers.
 */
export class EdgeFleet extends pulumi.ComponentResource {
  /** Per site name: ring, region, architecture, model revision, image and URL. */
  readonly sites: pulumi.Output<Record<string, EdgeSiteStatus>>;
  /** Namespace of the serving objects on every site. */
  readonly namespace: pulumi.Output<string>;

  /**
   * @param name component name; also the Kubernetes name of the serving objects unless `args.name` is set
   * @param args see {@link EdgeFleetArgs}
   * @param opts component resource options
   */
  constructor(name: string, args: EdgeFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = planEdgeFleet(name, args);
    super("hybridai:index:EdgeFleet", name, {}, opts);
    const statuses: Record<string, pulumi.Output<EdgeSiteStatus>> = {};
    let previousRing: StatefulSet[] = [];
    for (const ring of plan.rings) {
      previousRing = ring.map((site) => {
        const { statefulSet, status } = this.deploySite(
          name,
          plan.rolloutTimeoutMinutes,
          site,
          previousRing,
        );
        statuses[site.name] = status;
        return statefulSet;
      });
    }
    this.sites = pulumi.output(statuses);
    this.namespace = pulumi.output(plan.namespace);
    this.registerOutputs({ sites: this.sites, namespace: this.namespace });
  }

  /** Creates one site's provider and objects, all after `after` (the previous ring's StatefulSets). */
  private deploySite(
    name: string,
    rolloutTimeoutMinutes: number,
    site: EdgeSitePlan,
    after: StatefulSet[],
  ): { statefulSet: StatefulSet; status: pulumi.Output<EdgeSiteStatus> } {
    const prefix = `${name}-${site.name}`;
    const provider = new Provider(
      prefix,
      {
        kubeconfig: pulumi.secret(site.kubeconfig),
        ...(site.context !== undefined ? { context: site.context } : {}),
      },
      { parent: this },
    );
    const child = (...dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
      parent: this,
      provider,
      dependsOn: [...after, ...dependsOn],
    });
    const { service } = site;
    const namespace = site.namespace ? [new Namespace(prefix, site.namespace, child())] : [];
    const account = service.serviceAccount
      ? [new ServiceAccount(prefix, service.serviceAccount, child(...namespace))]
      : [];
    const secret = site.fallbackSecret
      ? [new Secret(`${prefix}-cloud-fallback`, site.fallbackSecret, child(...namespace))]
      : [];
    const runtimeClass = site.runtimeClass
      ? [new RuntimeClass(`${prefix}-nvidia`, site.runtimeClass, child())]
      : [];
    const devicePlugin = site.devicePlugin
      ? [
          new NvidiaDevicePlugin(
            `${prefix}-nvidia`,
            { ...site.devicePlugin, provider },
            { parent: this },
          ),
        ]
      : [];
    const gpu = [...runtimeClass, ...devicePlugin];
    const timeout = `${rolloutTimeoutMinutes}m`;
    // Not after the Service: the provider awaits a Service until it has ready endpoints, which
    // only this StatefulSet's pods give it. The StatefulSet only names it (`serviceName`).
    const statefulSet = new StatefulSet(prefix, site.statefulSet, {
      ...child(...namespace, ...account, ...secret, ...gpu),
      customTimeouts: { create: timeout, update: timeout },
    });
    // The provider awaits the Service until the same pods are ready: the same budget.
    const created = new Service(prefix, service.service, {
      ...child(...namespace),
      customTimeouts: { create: timeout, update: timeout },
    });
    new PodDisruptionBudget(prefix, service.disruptionBudget, child(...namespace));
    new NetworkPolicy(prefix, service.networkPolicy, child(...namespace));
    const template = statefulSet.spec.template;
    const status = pulumi
      .all([template.metadata.annotations, template.spec.containers, created.metadata.name])
      .apply(([annotations, containers, serviceName]) => ({
        ring: site.ring,
        region: site.region,
        arch: site.arch,
        modelRevision: annotations["hybridai.dev/model-revision"] ?? "",
        image: containers.find((c) => c.name === "serve")?.image ?? "",
        url: `http://${serviceName}.${service.namespace}.svc.cluster.local:${service.port}`,
      }));
    return { statefulSet, status };
  }
}
