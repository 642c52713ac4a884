import type * as inputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../../errors";
import type { ServingEgress } from "./onnx-service-args";
import type { TracingDestination } from "./tracing-plan";

/** The label every namespace carries with its own name (Kubernetes ≥ 1.22). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** NodeLocal DNSCache's default listening address (GKE, EKS add-on, kubeadm). */
export const NODE_LOCAL_DNS = "169.254.20.10/32";

/** The link-local range (IPv4): the cloud metadata servers (169.254.169.254) live in it. */
export const LINK_LOCAL_IPV4 = "169.254.0.0/16";

/** IPv6 link-local, and the EC2 instance metadata service's IPv6 address. */
const LINK_LOCAL_IPV6 = ["fe80::/10", "fd00:ec2::254/128"];

/**
 * The metadata servers a pod takes its cloud identity from, admitted with
 * `egress.metadataServer`: GKE's metadata server for Workload Identity (169.254.169.254:80 with
 * Dataplane V2, 169.254.169.252:988 otherwise) and the EKS Pod Identity agent
 * (169.254.170.23:80). With Workload Identity the GKE metadata server answers for the pod's own
 * identity only; on nodes without it, 169.254.169.254 is the node's metadata server itself.
 */
export const METADATA_SERVERS: readonly { cidr: string; port: number }[] = [
  { cidr: "169.254.169.254/32", port: 80 },
  { cidr: "169.254.169.252/32", port: 988 },
  { cidr: "169.254.170.23/32", port: 80 },
];

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
const IN_CLUSTER_HOST =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;

/** What the egress rules are made from, besides the service's `networkPolicy.egress`. */
export interface EgressSources {
  /** The component, for errors. */
  component: string;
  /** The model's sources (`model.uri`, `model.mirrors`, a canary's URI). */
  modelUris: pulumi.Input<string>[];
  /** Whether the pods take their cloud identity from a metadata server (GKE Workload Identity). */
  metadataIdentity: boolean;
  /** Where the runtime exports spans, when tracing is on. */
  tracing?: TracingDestination;
}

/** The port a URL is reached on: its own, or its scheme's default. */
function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "http:" ? 80 : 443;
}

/**
 * The peers and port an endpoint URL is reached at: an in-cluster Service name
 * (`svc.ns.svc[.cluster.local]`) admits that namespace's pods; any other host admits every
 * address outside the link-local range and `except`, on the URL's port. `undefined` for a URL
 * the 443 rule already covers.
 */
function endpointRule(
  url: URL,
  except: readonly string[],
): inputs.networking.v1.NetworkPolicyEgressRule | undefined {
  const port = portOf(url);
  const inCluster = IN_CLUSTER_HOST.exec(url.hostname);
  if (inCluster) {
    return {
      to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: inCluster[3] } } }],
      ports: [{ protocol: "TCP", port }],
    };
  }
  if (port === 443) return undefined;
  return { to: outside(except), ports: [{ protocol: "TCP", port }] };
}

/** The rule admitting an in-cluster collector: its namespace (and pods, when named) on its port. */
function collectorRule(
  collector: Extract<TracingDestination, { kind: "collector" }>,
): inputs.networking.v1.NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: collector.namespace } },
        ...(collector.podLabels ? { podSelector: { matchLabels: collector.podLabels } } : {}),
      },
    ],
    ports: [{ protocol: "TCP", port: collector.port }],
  };
}

/** Every address but the link-local ranges and `except`, IPv4 and IPv6. */
function outside(except: readonly string[]): inputs.networking.v1.NetworkPolicyPeer[] {
  const v4 = except.filter((cidr) => !cidr.includes(":"));
  const v6 = except.filter((cidr) => cidr.includes(":"));
  return [
    { ipBlock: { cidr: "0.0.0.0/0", except: [LINK_LOCAL_IPV4, ...v4] } },
    { ipBlock: { cidr: "::/0", except: [...LINK_LOCAL_IPV6, ...v6] } },
  ];
}

function parseUrl(component: string, field: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HybridAiConfigError(component, field, value, "an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HybridAiConfigError(component, field, value, "an absolute http:// or https:// URL");
  }
  return url;
}

/** A URL the pods call, the field that named it, and whether it must be http(s). */
interface NamedUrl {
  field: string;
  value: string;
  /** An endpoint must be an http(s) URL; a model source may be s3://, gs:// or file:///. */
  http: boolean;
}

/** The rules for the URLs the pods call, once every URL is known. */
function urlRules(
  component: string,
  urls: readonly NamedUrl[],
  except: readonly string[],
): inputs.networking.v1.NetworkPolicyEgressRule[] {
  return urls
    .filter(({ value, http }) => http || /^https?:\/\//.test(value))
    .map(({ field, value }) => endpointRule(parseUrl(component, field, value), except))
    .filter((rule): rule is inputs.networking.v1.NetworkPolicyEgressRule => rule !== undefined);
}

/**
 * The egress rules of the serving pods, or `undefined` when egress is left open
 * (`egress.enabled: false`). By default: DNS (UDP and TCP 53 to kube-system, and to NodeLocal
 * DNSCache), TCP 443 to every address outside the link-local range (so never the cloud metadata
 * server at 169.254.169.254) and `egress.exceptCidrs`; the port of each https model source or
 * `egress.endpoints` URL that is not 443 (an in-cluster Service's namespace only, for
 * `svc.ns.svc.cluster.local` hosts); and the metadata servers with `egress.metadataServer`
 * (default: when the pods take a GKE Workload Identity); with tracing, the collector's namespace
 * (and pods) on its port, or the tracing endpoint's port like an `egress.endpoints` URL. When a URL is an output, the rules are
 * an output too. Throws {@link HybridAiConfigError} for an endpoint that is not an http(s) URL
 * or a CIDR that is not one.
 *
 * @param egress the service's `networkPolicy.egress`
 * @param sources the model's sources and whether the pods take an identity from a metadata server
 */
export function planEgressRules(
  egress: ServingEgress = {},
  sources: EgressSources,
): pulumi.Input<inputs.networking.v1.NetworkPolicyEgressRule[]> | undefined {
  const { component } = sources;
  if (egress.enabled === false) return undefined;
  const except = egress.exceptCidrs ?? [];
  except.forEach((cidr, i) => {
    if (typeof cidr !== "string" || !CIDR.test(cidr)) {
      throw new HybridAiConfigError(
        component,
        `networkPolicy.egress.exceptCidrs[${i}]`,
        cidr,
        "an IPv4 or IPv6 CIDR, e.g. 10.0.0.0/8",
      );
    }
  });
  const fixed: inputs.networking.v1.NetworkPolicyEgressRule[] = [
    {
      to: [
        { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } } },
        { ipBlock: { cidr: NODE_LOCAL_DNS } },
      ],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
    { to: outside(except), ports: [{ protocol: "TCP", port: 443 }] },
  ];
  const metadata =
    (egress.metadataServer ?? sources.metadataIdentity)
      ? METADATA_SERVERS.map(({ cidr, port }) => ({
          to: [{ ipBlock: { cidr } }],
          ports: [{ protocol: "TCP", port }],
        }))
      : [];
  const { tracing } = sources;
  const urls = [
    ...sources.modelUris.map((value) => ({ field: "model.uri", value, http: false })),
    ...(egress.endpoints ?? []).map((value, i) => ({
      field: `networkPolicy.egress.endpoints[${i}]`,
      value,
      http: true,
    })),
    ...(tracing?.kind === "url"
      ? [{ field: "tracing.endpoint", value: tracing.url, http: true }]
      : []),
  ];
  const known = urls.filter((url): url is NamedUrl => typeof url.value === "string");
  const rules = (resolved: readonly NamedUrl[]) => [
    ...fixed,
    ...urlRules(component, resolved, except),
    ...(tracing?.kind === "collector" ? [collectorRule(tracing)] : []),
    ...metadata,
  ];
  if (known.length === urls.length) return rules(known);
  // Some URL is an output (another stack's, a model store's): the rules follow once it is known.
  return pulumi
    .all(urls.map((url) => url.value))
    .apply((values) => rules(values.map((value, i) => ({ ...urls[i], value }))));
}
