import type { CustomResourceArgs } from "@pulumi/kubernetes/apiextensions";
import type { ServiceArgs } from "@pulumi/kubernetes/core/v1";
import type { NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../../errors";
import { assertOneOf, assertWholeNumber } from "../../validate";
import {
  EXPOSURE_LOAD_BALANCERS,
  type ExposureLoadBalancer,
  type ServingAuth,
  type ServingExposure,
} from "./onnx-service-args";

/** The path every outside health check (load balancer, Route 53, Cloud DNS) probes: open without a token. */
export const READINESS_PATH = "/v2/health/ready";

/** The AWS Load Balancer Controller's load balancer class for Network Load Balancers. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

/** The listener security policy of a TLS NLB unless one is named: TLS 1.3 and 1.2 only. */
export const DEFAULT_NLB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** GKE's GatewayClass of the global external Application Load Balancer. */
export const GKE_GATEWAY_CLASS = "gke-l7-global-external-managed";

/**
 * Where Google's front ends (the Application Load Balancer's proxies and every Google Cloud
 * health checker) connect from: the pods' NetworkPolicy must admit them behind a Gateway.
 */
export const GOOGLE_FRONT_END_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;

/** Suffix of the exposure's own objects (Service or Gateway, route and policies). */
export const EXPOSURE_SUFFIX = "-public";

const S = "service.beta.kubernetes.io/aws-load-balancer-";
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const GCP_RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What exposing a service creates, as provider arguments. */
export interface ExposurePlan {
  /** The load balancer. */
  loadBalancer: ExposureLoadBalancer;
  /** `https` when the load balancer ends TLS, else `http`. */
  scheme: "https" | "http";
  /** The port clients connect to. */
  port: number;
  /** The `type: LoadBalancer` Service (`aws-nlb`, `gcp-passthrough`). */
  service?: ServiceArgs;
  /** Gateway, HTTPRoute, HealthCheckPolicy and optional GCPBackendPolicy (`gcp-gateway`). */
  gateway?: {
    gateway: CustomResourceArgs;
    route: CustomResourceArgs;
    healthCheck: CustomResourceArgs;
    backendPolicy?: CustomResourceArgs;
  };
  /** The NetworkPolicy rule admitting the load balancer's connections to the pods. */
  ingressRule: inputs.networking.v1.NetworkPolicyIngressRule;
}

/** What the exposure is planned for: the service's own names and port. */
export interface ExposureTarget {
  /** Component name in errors. */
  component: string;
  /** The service's name (the ClusterIP Service). */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Labels of every object. */
  labels: Record<string, string>;
  /** Selector of the pods to expose (the stable track). */
  selector: Record<string, string>;
  /** The pods' HTTP port. */
  podPort: number;
  /** The path the load balancer health-checks, open without a token. Default {@link READINESS_PATH}. */
  healthPath?: string;
  /**
   * `gcp-gateway`: the path prefixes the HTTPRoute forwards (every other path is answered 404
   * by the load balancer). Default: every path.
   */
  routePaths?: string[];
}

function assertCidrs(component: string, field: string, cidrs: unknown): string[] {
  const valid =
    Array.isArray(cidrs) &&
    cidrs.length > 0 &&
    cidrs.every((cidr) => {
      const match = typeof cidr === "string" ? CIDR.exec(cidr) : null;
      if (!match) return false;
      return match.slice(1, 5).every((octet) => Number(octet) <= 255) && Number(match[5]) <= 32;
    });
  if (!valid) {
    throw new HybridAiConfigError(
      component,
      field,
      cidrs,
      'a non-empty list of IPv4 CIDRs, e.g. ["203.0.113.0/24"] (["0.0.0.0/0"] for everyone)',
    );
  }
  return cidrs as string[];
}

function ipBlocks(
  cidrs: readonly pulumi.Input<string>[],
): inputs.networking.v1.NetworkPolicyPeer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

/** Checks the TLS fields against the load balancer and the plaintext opt-in; returns the scheme. */
function checkTls(component: string, exposure: ServingExposure): "https" | "http" {
  const tls = exposure.tls;
  const lb = exposure.loadBalancer;
  if (!tls) {
    if (exposure.allowPlaintext !== true) {
      throw new HybridAiConfigError(
        component,
        "exposure.tls",
        undefined,
        lb === "gcp-passthrough"
          ? 'allowPlaintext: true to accept the bearer token in clear (a passthrough load balancer cannot end TLS and the runtime serves HTTP), or loadBalancer: "gcp-gateway" with tls.certificateMap'
          : `TLS for ${lb}: ${lb === "aws-nlb" ? "tls.certificateArn (an ACM certificate)" : "tls.certificateMap (a Certificate Manager map)"}; or allowPlaintext: true to accept the bearer token in clear`,
      );
    }
    return "http";
  }
  const own: Record<ExposureLoadBalancer, keyof typeof tls | undefined> = {
    "aws-nlb": "certificateArn",
    "gcp-gateway": "certificateMap",
    "gcp-passthrough": undefined,
  };
  if (lb === "gcp-passthrough") {
    throw new HybridAiConfigError(
      component,
      "exposure.tls",
      tls,
      'none: a passthrough load balancer forwards TCP unchanged and the runtime serves HTTP; use loadBalancer: "gcp-gateway" with tls.certificateMap for TLS',
    );
  }
  for (const key of ["certificateArn", "certificateMap", "sslPolicy"] as const) {
    const allowedHere = key === own[lb] || (key === "sslPolicy" && lb === "aws-nlb");
    if (tls[key] !== undefined && !allowedHere) {
      throw new HybridAiConfigError(
        component,
        `exposure.tls.${key}`,
        tls[key],
        `not set for ${lb} (it takes tls.${own[lb]})`,
      );
    }
  }
  const certificate = own[lb] as "certificateArn" | "certificateMap";
  if (tls[certificate] === undefined || tls[certificate] === "") {
    throw new HybridAiConfigError(
      component,
      `exposure.tls.${certificate}`,
      tls[certificate],
      lb === "aws-nlb"
        ? "the ARN of an ACM certificate covering the name clients use"
        : "the name of a Certificate Manager certificate map covering the name clients use",
    );
  }
  if (tls.sslPolicy !== undefined && !/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(tls.sslPolicy)) {
    throw new HybridAiConfigError(
      component,
      "exposure.tls.sslPolicy",
      tls.sslPolicy,
      `an ELB security policy name, e.g. ${DEFAULT_NLB_SSL_POLICY}`,
    );
  }
  return "https";
}

function checkGcpName(component: string, field: string, value: string | undefined): void {
  if (value !== undefined && !GCP_RESOURCE_NAME.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a Google Cloud resource name: lowercase letters, digits and '-', starting with a letter, at most 63 characters",
    );
  }
}

function awsNlbService(
  target: ExposureTarget,
  exposure: ServingExposure,
  port: number,
  sourceRanges: string[],
): ServiceArgs {
  const tls: Record<string, pulumi.Input<string>> = exposure.tls?.certificateArn
    ? {
        [`${S}ssl-cert`]: exposure.tls.certificateArn,
        [`${S}ssl-ports`]: String(port),
        [`${S}ssl-negotiation-policy`]: exposure.tls.sslPolicy ?? DEFAULT_NLB_SSL_POLICY,
      }
    : {};
  return {
    metadata: {
      name: `${target.name}${EXPOSURE_SUFFIX}`,
      namespace: target.namespace,
      labels: target.labels,
      annotations: {
        [`${S}type`]: "external",
        [`${S}nlb-target-type`]: "ip",
        [`${S}scheme`]: "internet-facing",
        [`${S}backend-protocol`]: "tcp",
        ...tls,
        [`${S}healthcheck-protocol`]: "http",
        [`${S}healthcheck-port`]: "traffic-port",
        [`${S}healthcheck-path`]: target.healthPath ?? READINESS_PATH,
        [`${S}healthcheck-interval`]: "10",
        [`${S}healthcheck-healthy-threshold`]: "2",
        [`${S}healthcheck-unhealthy-threshold`]: "2",
        [`${S}target-group-attributes`]: "deregistration_delay.timeout_seconds=30",
        [`${S}attributes`]: "load_balancing.cross_zone.enabled=true",
      },
    },
    spec: {
      type: "LoadBalancer",
      loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
      loadBalancerSourceRanges: sourceRanges,
      selector: target.selector,
      ports: [
        {
          name: tls[`${S}ssl-cert`] ? "https" : "http",
          port,
          targetPort: "http",
          protocol: "TCP",
        },
      ],
    },
  };
}

function gcpPassthroughService(
  target: ExposureTarget,
  port: number,
  sourceRanges: string[],
): ServiceArgs {
  return {
    metadata: {
      name: `${target.name}${EXPOSURE_SUFFIX}`,
      namespace: target.namespace,
      labels: target.labels,
      annotations: { "cloud.google.com/l4-rbs": "enabled" },
    },
    spec: {
      type: "LoadBalancer",
      // Only nodes with a ready pod receive traffic, and pods see the client's address.
      externalTrafficPolicy: "Local",
      loadBalancerSourceRanges: sourceRanges,
      selector: target.selector,
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

function gcpGateway(
  target: ExposureTarget,
  exposure: ServingExposure,
  scheme: "https" | "http",
  port: number,
): NonNullable<ExposurePlan["gateway"]> {
  const name = `${target.name}${EXPOSURE_SUFFIX}`;
  const metadata = { name, namespace: target.namespace, labels: target.labels };
  const listener = scheme === "https" ? "https" : "http";
  const serviceRef = { group: "", kind: "Service", name: target.name };
  return {
    gateway: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: {
        ...metadata,
        ...(exposure.tls?.certificateMap
          ? { annotations: { "networking.gke.io/certmap": exposure.tls.certificateMap } }
          : {}),
      },
      spec: {
        gatewayClassName: GKE_GATEWAY_CLASS,
        listeners: [
          {
            name: listener,
            protocol: scheme === "https" ? "HTTPS" : "HTTP",
            port,
            allowedRoutes: { namespaces: { from: "Same" } },
          },
        ],
        ...(exposure.gcpAddressName
          ? { addresses: [{ type: "NamedAddress", value: exposure.gcpAddressName }] }
          : {}),
      },
    },
    route: {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata,
      spec: {
        parentRefs: [{ name, sectionName: listener }],
        rules: [
          {
            ...(target.routePaths
              ? {
                  matches: target.routePaths.map((value) => ({
                    path: { type: "PathPrefix", value },
                  })),
                }
              : {}),
            backendRefs: [{ name: target.name, port: target.podPort }],
          },
        ],
      },
    },
    healthCheck: {
      apiVersion: "networking.gke.io/v1",
      kind: "HealthCheckPolicy",
      metadata,
      spec: {
        default: {
          checkIntervalSec: 5,
          timeoutSec: 2,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          config: {
            type: "HTTP",
            httpHealthCheck: {
              port: target.podPort,
              requestPath: target.healthPath ?? READINESS_PATH,
            },
          },
        },
        targetRef: serviceRef,
      },
    },
    ...(exposure.gcpSecurityPolicy
      ? {
          backendPolicy: {
            apiVersion: "networking.gke.io/v1",
            kind: "GCPBackendPolicy",
            metadata,
            spec: {
              default: { securityPolicy: exposure.gcpSecurityPolicy },
              targetRef: serviceRef,
            },
          },
        }
      : {}),
  };
}

/** Refuses the fields only another load balancer reads (GCP's on AWS, `vpcCidrs` off aws-nlb). */
function assertNoOtherLoadBalancerFields(component: string, exposure: ServingExposure): void {
  const lb = exposure.loadBalancer;
  if (lb !== "gcp-gateway") {
    for (const field of ["gcpSecurityPolicy", "gcpAddressName"] as const) {
      if (exposure[field] !== undefined) {
        throw new HybridAiConfigError(
          component,
          `exposure.${field}`,
          exposure[field],
          `not set for ${lb} (gcp-gateway only)`,
        );
      }
    }
  }
  if (lb !== "aws-nlb" && exposure.vpcCidrs !== undefined) {
    throw new HybridAiConfigError(
      component,
      "exposure.vpcCidrs",
      exposure.vpcCidrs,
      `not set for ${lb} (aws-nlb only)`,
    );
  }
}

/**
 * Validates an {@link ServingExposure} and plans its objects. Throws {@link HybridAiConfigError}
 * for: an exposure without `auth` (the runtime would answer anyone on the internet), an unknown
 * load balancer, no TLS without `allowPlaintext: true`, TLS on `gcp-passthrough`, a certificate
 * field of the other cloud, a malformed CIDR list, `aws-nlb` without `vpcCidrs`, `sourceRanges`
 * on `gcp-gateway` (a Cloud Armor policy does that there), a `gcp-gateway` port other than
 * 443/80, GCP fields on another load balancer, and a service name too long for the `-public`
 * objects.
 */
export function planExposure(
  target: ExposureTarget,
  exposure: ServingExposure,
  auth: ServingAuth | undefined,
): ExposurePlan {
  const { component } = target;
  if (!auth) {
    throw new HybridAiConfigError(
      component,
      "auth",
      undefined,
      "{ secretName, key? }: a Secret holding the bearer token, required whenever the service is exposed beyond the cluster",
    );
  }
  assertOneOf(component, "exposure.loadBalancer", exposure.loadBalancer, EXPOSURE_LOAD_BALANCERS);
  const lb = exposure.loadBalancer;
  if (target.name.length + EXPOSURE_SUFFIX.length > 63) {
    throw new HybridAiConfigError(
      component,
      "name",
      target.name,
      `at most ${63 - EXPOSURE_SUFFIX.length} characters when exposed (its load balancer objects are named <name>${EXPOSURE_SUFFIX})`,
    );
  }
  const scheme = checkTls(component, exposure);
  const defaultPort = scheme === "https" ? 443 : 80;
  const port = exposure.port ?? defaultPort;
  assertWholeNumber(component, "exposure.port", port, 1, 65535);
  assertNoOtherLoadBalancerFields(component, exposure);
  const podPorts = [{ protocol: "TCP", port: target.podPort }];
  if (lb === "gcp-gateway") {
    if (exposure.sourceRanges !== undefined) {
      throw new HybridAiConfigError(
        component,
        "exposure.sourceRanges",
        exposure.sourceRanges,
        "not set for gcp-gateway: the Gateway's proxies connect from Google's ranges, so an allow-list there is a Cloud Armor policy; name it in exposure.gcpSecurityPolicy",
      );
    }
    if (port !== defaultPort) {
      throw new HybridAiConfigError(
        component,
        "exposure.port",
        port,
        `${defaultPort} for gcp-gateway (${scheme.toUpperCase()})`,
      );
    }
    checkGcpName(component, "exposure.gcpSecurityPolicy", exposure.gcpSecurityPolicy);
    checkGcpName(component, "exposure.gcpAddressName", exposure.gcpAddressName);
    return {
      loadBalancer: lb,
      scheme,
      port,
      gateway: gcpGateway(target, exposure, scheme, port),
      ingressRule: { from: ipBlocks(GOOGLE_FRONT_END_RANGES), ports: podPorts },
    };
  }
  const sourceRanges = assertCidrs(
    component,
    "exposure.sourceRanges",
    exposure.sourceRanges ?? ["0.0.0.0/0"],
  );
  if (lb === "aws-nlb") {
    const vpcCidrs = exposure.vpcCidrs ?? [];
    if (vpcCidrs.length === 0) {
      throw new HybridAiConfigError(
        component,
        "exposure.vpcCidrs",
        exposure.vpcCidrs,
        "the VPC CIDR(s) the NLB connects to pod IPs from (EksCluster.vpcCidrBlock), admitted by the pods' NetworkPolicy",
      );
    }
    const plain = vpcCidrs.filter((c): c is string => typeof c === "string");
    if (plain.length > 0) assertCidrs(component, "exposure.vpcCidrs", plain);
    return {
      loadBalancer: lb,
      scheme,
      port,
      service: awsNlbService(target, exposure, port, sourceRanges),
      ingressRule: { from: ipBlocks(vpcCidrs), ports: podPorts },
    };
  }
  return {
    loadBalancer: lb,
    scheme,
    port,
    service: gcpPassthroughService(target, port, sourceRanges),
    ingressRule: { from: ipBlocks(sourceRanges), ports: podPorts },
  };
}

/**
 * The service's NetworkPolicy with one more ingress rule: the load balancer's connections
 * (planned by {@link planNetworkPolicy} as plain objects, so the rules list is extended in place
 * of a copy).
 */
export function admitLoadBalancer(
  policy: NetworkPolicyArgs,
  rule: inputs.networking.v1.NetworkPolicyIngressRule,
): NetworkPolicyArgs {
  const spec = policy.spec as inputs.networking.v1.NetworkPolicySpec;
  const ingress = (spec.ingress ?? []) as inputs.networking.v1.NetworkPolicyIngressRule[];
  return { ...policy, spec: { ...spec, ingress: [...ingress, rule] } };
}
