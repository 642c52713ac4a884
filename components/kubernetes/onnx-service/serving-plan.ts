import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type { PodDisruptionBudgetArgs } from "@pulumi/kubernetes/policy/v1";
import {
  admitLoadBalancer,
  type ExposurePlan,
  type ExposureTarget,
  planExposure,
} from "./exposure-plan";
import { type NetworkPolicySpec, planNetworkPolicy } from "./network-policy-plan";
import type {
  ServingAuth,
  ServingExposure,
  ServingNetworkPolicy,
  ServingServiceMonitor,
} from "./onnx-service-args";
import { planServiceMonitor } from "./service-monitor-plan";

/** Pod label telling stable and canary pods apart. */
export const TRACK_LABEL = "hybridai.dev/track";

/** The labels and selectors of a serving workload's objects. */
export interface ServingLabels {
  /** Labels of every object: the caller's, then the app, instance, component and manager. */
  labels: Record<string, string>;
  /** Selects the pods of every track: `app.kubernetes.io/name` and `instance`. */
  instance: Record<string, string>;
  /** Selects the stable track's pods. */
  stable: Record<string, string>;
}

/**
 * The labels of a serving workload: `app.kubernetes.io/name` = `app`, `instance` = `name`,
 * `component` = `inference`, managed by Pulumi, after the caller's own `extra` labels.
 */
export function servingLabels(
  app: string,
  name: string,
  extra: Record<string, string> | undefined,
): ServingLabels {
  const instance = { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": name };
  return {
    labels: {
      ...extra,
      ...instance,
      "app.kubernetes.io/component": "inference",
      "app.kubernetes.io/managed-by": "pulumi",
    },
    instance,
    stable: { ...instance, [TRACK_LABEL]: "stable" },
  };
}

/**
 * A ClusterIP Service over `selector`: the `http` port, `metrics` when the server answers
 * `/metrics` on a port of its own, and `grpc` (h2c) when a gRPC port is given.
 */
export function planService(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  selector: Record<string, string>,
  ports: { http: number; metrics?: number; grpc?: number },
): ServiceArgs {
  const named = (portName: string, port: number | undefined, appProtocol: string) =>
    port === undefined
      ? []
      : [{ name: portName, port, targetPort: portName, protocol: "TCP", appProtocol }];
  return {
    metadata: { name, namespace, labels },
    spec: {
      type: "ClusterIP",
      selector,
      ports: [
        ...named("http", ports.http, "http"),
        ...named("metrics", ports.metrics, "http"),
        ...named("grpc", ports.grpc, "kubernetes.io/h2c"),
      ],
    },
  };
}

/** What a serving workload's Service, disruption budget, network policy and monitor are of. */
export interface ServingTarget extends ServingLabels {
  /** Component name in errors. */
  component: string;
  /** The workload's name: its Service and every object. */
  name: string;
  /** Namespace of every object. */
  namespace: string;
  /** The pods' HTTP port. */
  port: number;
  /** The pods' gRPC port, when gRPC is on. */
  grpcPort?: number;
  /**
   * The pods' `/metrics` port, when the server has one of its own (the runtime's
   * `--metrics-port`); absent when it answers `/metrics` on its HTTP port (vLLM).
   */
  metricsPort?: number;
  /** Egress rules of the pods' network policy (`planEgressRules`); absent: egress stays open. */
  egress?: NetworkPolicySpec["egress"];
}

/** The objects every serving workload has beside its pods. */
export interface ServingObjects {
  /** The ClusterIP Service of the stable pods. */
  service: ServiceArgs;
  /** policy/v1 PodDisruptionBudget of the stable pods. */
  disruptionBudget: PodDisruptionBudgetArgs;
  /** Ingress rules of every pod of the workload. */
  networkPolicy: NetworkPolicyArgs;
  /** monitoring.coreos.com/v1 ServiceMonitor, when asked for. */
  serviceMonitor?: CustomResourceArgs;
}

/**
 * The ClusterIP Service and disruption budget of the stable pods, the network policy of every
 * track, and a ServiceMonitor when `serviceMonitor` is given.
 */
export function planServingObjects(
  target: ServingTarget,
  networkPolicy: ServingNetworkPolicy | undefined,
  serviceMonitor: ServingServiceMonitor | undefined,
): ServingObjects {
  const { name, namespace, labels, instance, stable, port, grpcPort, metricsPort } = target;
  return {
    service: planService(name, namespace, labels, stable, {
      http: port,
      metrics: metricsPort,
      grpc: grpcPort,
    }),
    disruptionBudget: {
      metadata: { name, namespace, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: stable } },
    },
    networkPolicy: planNetworkPolicy({
      component: target.component,
      name,
      namespace,
      labels,
      podSelector: instance,
      port,
      grpcPort,
      metricsPort: metricsPort ?? port,
      policy: networkPolicy,
      egress: target.egress,
    }),
    ...(serviceMonitor
      ? {
          serviceMonitor: planServiceMonitor(
            name,
            namespace,
            labels,
            instance,
            serviceMonitor,
            metricsPort === undefined ? "http" : "metrics",
          ),
        }
      : {}),
  };
}

/**
 * Adds the load balancer objects of `exposure` to `plan` and admits the load balancer's traffic
 * in its network policy.
 */
export function exposeServing(
  plan: { networkPolicy: NetworkPolicyArgs; exposure?: ExposurePlan },
  target: ExposureTarget,
  exposure: ServingExposure,
  auth: ServingAuth | undefined,
): void {
  const planned = planExposure(target, exposure, auth);
  plan.exposure = planned;
  plan.networkPolicy = admitLoadBalancer(plan.networkPolicy, planned.ingressRule);
}
