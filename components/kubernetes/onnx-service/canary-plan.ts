import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import { HybridAiConfigError } from "../../errors";
import { assertWholeNumber } from "../../validate";
import { assertDns1035, assertNamespace } from "../validate";
import type { GatewayRef, ServingCanary } from "./onnx-service-args";

/** A Gateway API hostname: a DNS name, optionally with one leading `*.` label. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Where an HTTPRoute attaches and which host names it matches. */
export interface RouteAttachment {
  /** The Gateway the route attaches to. */
  gateway: GatewayRef;
  /** Host names the route matches. Default: all the Gateway accepts. */
  hostnames?: string[];
}

/** One Service the route sends a weighted share of requests to. */
export interface WeightedBackend {
  /** Service name (same namespace as the route). */
  name: string;
  /** Relative weight (0 sends nothing). */
  weight: number;
}

/** Checks a Gateway reference and host names under `prefix` (e.g. `canary`). */
export function checkRouteAttachment(
  component: string,
  prefix: string,
  attachment: Partial<RouteAttachment>,
): void {
  if (!attachment.gateway?.name || typeof attachment.gateway.name !== "string") {
    throw new HybridAiConfigError(
      component,
      `${prefix}.gateway.name`,
      attachment.gateway?.name,
      "the name of a Gateway API Gateway",
    );
  }
  if (attachment.gateway.namespace !== undefined) {
    assertNamespace(component, `${prefix}.gateway.namespace`, attachment.gateway.namespace);
  }
  for (const [i, host] of (attachment.hostnames ?? []).entries()) {
    if (typeof host !== "string" || host.length > 253 || !HOSTNAME.test(host)) {
      throw new HybridAiConfigError(
        component,
        `${prefix}.hostnames[${i}]`,
        host,
        "a lowercase DNS name such as inference.example.com, optionally starting with '*.'",
      );
    }
  }
}

/** Checks a canary spec: name room for `-canary`, URI scheme, weight 0–100, replicas, gateway. */
export function checkCanary(
  component: string,
  name: string,
  canary: ServingCanary,
  checkUri: (field: string, uri: ServingCanary["uri"]) => void,
): void {
  assertDns1035(component, "name (with a canary, plus -canary)", `${name}-canary`);
  checkUri("canary.uri", canary.uri);
  assertWholeNumber(component, "canary.weight", canary.weight, 0, 100);
  assertWholeNumber(component, "canary.replicas", canary.replicas ?? 1, 1, 100);
  checkRouteAttachment(component, "canary", canary);
}

/**
 * A Gateway API HTTPRoute for every path, attached to `attachment.gateway`, splitting requests
 * over `backends` by weight, with optional rule filters (e.g. a `RequestMirror`).
 */
export function planServiceRoute(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  port: number,
  attachment: RouteAttachment,
  backends: WeightedBackend[],
  filters: Record<string, unknown>[] = [],
): CustomResourceArgs {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace, labels },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: attachment.gateway.name,
          namespace: attachment.gateway.namespace ?? namespace,
          ...(attachment.gateway.sectionName
            ? { sectionName: attachment.gateway.sectionName }
            : {}),
        },
      ],
      ...(attachment.hostnames ? { hostnames: attachment.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          ...(filters.length > 0 ? { filters } : {}),
          backendRefs: backends.map((b) => ({
            group: "",
            kind: "Service",
            name: b.name,
            port,
            weight: b.weight,
          })),
        },
      ],
    },
  };
}

/**
 * The Gateway API HTTPRoute that splits traffic: `100 - weight` percent to the stable Service,
 * `weight` percent to the canary Service (`<name>-canary`).
 */
export function planCanaryRoute(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  port: number,
  canary: ServingCanary,
  filters: Record<string, unknown>[] = [],
): CustomResourceArgs {
  return planServiceRoute(
    name,
    namespace,
    labels,
    port,
    canary,
    [
      { name, weight: 100 - canary.weight },
      { name: `${name}-canary`, weight: canary.weight },
    ],
    filters,
  );
}
