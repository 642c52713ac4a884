import type { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec, AcceleratorType } from "../../accelerators";
import type { Dependency } from "../../dependency";
import type { SpotNoticeCloud } from "../scheduling";
import type { ServingDashboard } from "./dashboard-plan";
import type { ServingAlerts } from "./prometheus-rule-plan";

/** Where the served model comes from. */
export interface OnnxModelSource {
  /**
   * One model's folder in a store (`<version>/model.onnx`, optional `config.json`):
   * `s3://bucket/prefix`, `gs://bucket/prefix`, `https://…` (with a `manifest.json`) or
   * `file:///path` (a directory on the node, mounted read-only into the init container as a
   * hostPath). Pulled by the init container with the
   * pod's identity; a `manifest.json` there adds SHA-256 checks.
   */
  uri: pulumi.Input<string>;
  /** The model's name in the repository (`/models/<name>`), as clients address it. Default: the component name. */
  name?: string;
  /**
   * Anything that changes when the model's content changes at the same URI (a release tag, the
   * manifest's SHA-256, an object version). Part of the config checksum: a new revision rolls
   * the pods, which pull the new content. Default: none.
   */
  revision?: pulumi.Input<string>;
  /**
   * Further sources of the same model folder, tried in order when `uri` cannot be pulled
   * completely (repeated `hybridai-serve pull --from`), e.g. the other cloud's model store kept
   * in sync with `hybridai-serve sync`: a pod then starts while its own cloud's store is down.
   * Same schemes as `uri`. Default: none.
   */
  mirrors?: pulumi.Input<string>[];
}

/** Replica bounds; the HorizontalPodAutoscaler moves between them. */
export interface ReplicaSpec {
  /** Fewest replicas. Default 2 (one can drain while the other serves). */
  min?: number;
  /** Most replicas; at least `min`. Default 10. */
  max?: number;
}

/** CPU and memory of the serving container. */
export interface ServingResources {
  /** CPU request. Default `"1"`. */
  cpu?: string;
  /** Memory request, also the memory limit unless `memoryLimit` is set. Default `"2Gi"`. */
  memory?: string;
  /** CPU limit. Default: none (throttling adds latency; the request reserves the share). */
  cpuLimit?: string;
  /** Memory limit. Default: the memory request. */
  memoryLimit?: string;
  /** Size limit of the model volume (an emptyDir). Default `"10Gi"`. */
  modelVolume?: string;
}

/** A per-pod custom metric and the average value per pod to hold. */
export interface ServingMetricTarget {
  /** Metric name as the metrics adapter serves it, e.g. `nv_inference_queue_duration_us`. */
  name: string;
  /** Average value per pod to hold, a Kubernetes quantity, e.g. `"50000"`. */
  targetAverageValue: string;
}

/** Scaling signal of the HorizontalPodAutoscaler. */
export interface ServingAutoscaling {
  /** Average CPU utilization (percent of the request) to hold. Default 70; used when no `metric` is named. */
  targetCpuUtilization?: number;
  /**
   * A per-pod custom metric served by a metrics adapter (e.g. prometheus-adapter), such as
   * `nv_inference_queue_duration_us`, and the average value per pod to hold (a quantity, e.g.
   * `"50000"`). When set, it replaces the CPU target.
   */
  metric?: ServingMetricTarget;
  /** Seconds of lower recommendations before scaling down. Default 300. */
  scaleDownStabilizationSeconds?: number;
}

/** The pod's identity in the cloud, bound to its Kubernetes service account. */
export interface ServingServiceAccount {
  /** Service account name. Default: the component name. Must match what the model store trusts. */
  name?: string;
  /**
   * Create the service account. Default `true`; `false` runs the pods as an existing one (e.g.
   * a model store's reader shared by several services), and the identity fields are ignored.
   */
  create?: boolean;
  /** AWS IAM role for IRSA (`eks.amazonaws.com/role-arn`). */
  awsRoleArn?: pulumi.Input<string>;
  /** Google service account email for GKE Workload Identity (`iam.gke.io/gcp-service-account`). */
  gcpServiceAccount?: pulumi.Input<string>;
  /**
   * Further annotations, e.g. a model store reader's. With `create: false` they are not applied
   * (the account exists) but still feed the config checksum, so an identity change rolls the pods.
   */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** One source of allowed traffic (namespace and pod labels are ANDed when both are given). */
export interface IngressPeer {
  /** Namespace name. Default: the service's own namespace. */
  namespace?: string;
  /** Pod labels. Default: every pod (of that namespace). */
  podLabels?: Record<string, string>;
}

/**
 * Where the serving pods (the model pull and the runtime) may send traffic. The default closes
 * everything a pod does not need: the runtime sends requests only to the remote fallback or
 * shadow endpoints its model's config names, and the pull only to the model store.
 */
export interface ServingEgress {
  /**
   * Restrict egress. Default `true`: DNS (UDP/TCP 53 to kube-system, and to NodeLocal DNSCache
   * at 169.254.20.10), TCP 443 to any address outside the link-local range 169.254.0.0/16 (so
   * never the cloud metadata server 169.254.169.254) and `exceptCidrs`, the port of an https
   * model source that is not 443, each of `endpoints`, and the metadata servers only with
   * `metadataServer`. `false` leaves egress open, as before this default.
   */
  enabled?: boolean;
  /**
   * Base URLs the model's config sends requests to: a remote `fallback` or `shadow` `url`. An
   * in-cluster Service (`http://svc.ns.svc.cluster.local:8000`) admits that namespace on the
   * URL's port; another host admits the URL's port on every address the 443 rule admits (a
   * NetworkPolicy cannot name a host). A 443 URL elsewhere needs no entry. Default none.
   */
  endpoints?: pulumi.Input<string>[];
  /**
   * Address ranges left out of the 443 rule (and of `endpoints` outside the cluster), e.g. the
   * cluster's pod and Service CIDRs, so the pods cannot reach in-cluster HTTPS services either.
   * Default none.
   */
  exceptCidrs?: string[];
  /**
   * Admit the metadata servers pods take their cloud identity from: GKE's metadata server for
   * Workload Identity (169.254.169.254:80 with Dataplane V2, 169.254.169.252:988 otherwise) and
   * the EKS Pod Identity agent (169.254.170.23:80). Default: `true` when
   * `serviceAccount.gcpServiceAccount` is set, `false` otherwise (IRSA needs only 443 to STS).
   * On nodes without GKE's metadata server, 169.254.169.254:80 is the node's own metadata.
   */
  metadataServer?: boolean;
}

/** Who may reach the service, and where its pods may send traffic. */
export interface ServingNetworkPolicy {
  /** Allowed sources of inference traffic. Default: pods of the same namespace only. */
  allowFrom?: IngressPeer[];
  /** Namespace allowed to scrape `/metrics` on the metrics port. Default `monitoring`. */
  monitoringNamespace?: string;
  /** Egress rules. Default: DNS, 443 out of the cluster, the model's endpoints; see {@link ServingEgress}. */
  egress?: ServingEgress;
}

/** A Prometheus Operator ServiceMonitor for `/metrics`. */
export interface ServingServiceMonitor {
  /** Scrape interval. Default `"30s"`. */
  interval?: string;
  /** Labels your Prometheus selects ServiceMonitors by, e.g. `{ release: "kube-prometheus-stack" }`. */
  labels?: Record<string, string>;
}

/** A Gateway API parent (Gateway) for the canary's HTTPRoute. */
export interface GatewayRef {
  /** Gateway name. */
  name: string;
  /** Gateway namespace. Default: the service's namespace. */
  namespace?: string;
  /** Listener name on the Gateway. Default: every listener. */
  sectionName?: string;
}

/** A canary: a second Deployment on a new model version, taking a weighted share of traffic. */
export interface ServingCanary {
  /** The new model folder URI (same model name). */
  uri: pulumi.Input<string>;
  /** Image for the canary. Default: the stable image. */
  image?: pulumi.Input<string>;
  /** Percent of requests (0–100) sent to the canary through the HTTPRoute. */
  weight: number;
  /** Canary replicas (fixed, no autoscaling). Default 1. */
  replicas?: number;
  /** The Gateway whose HTTPRoute splits the traffic. */
  gateway: GatewayRef;
  /** Host names the route matches. Default: all the Gateway accepts. */
  hostnames?: string[];
}

/**
 * Automatic canary analysis and rollback through Argo Rollouts (install it with
 * {@link ArgoRollouts}). A change of the pod template (a new model revision or URI, image, flags)
 * no longer rolls the pods directly: Argo Rollouts starts the new version as a canary, shifts
 * `steps` percent of the traffic to it through the Gateway API route, holds each step for
 * `interval`, then judges that window on the canary pods' own metrics in Prometheus. A failed
 * judgment aborts the rollout: all traffic returns to the stable version and the canary pods are
 * scaled down. No traffic in a window (NaN) pauses the rollout for a person to decide.
 */
export interface ServingRollout {
  /** Canary traffic percentages, strictly increasing whole numbers from 1 to 100. Default `[5, 25, 50, 100]`. After the last step the canary becomes the stable version. */
  steps?: number[];
  /**
   * How long each step holds before it is judged, which is also the window the analysis queries
   * (`rate(…[interval])`): a duration such as `"2m"`, `"5m"`, `"1h"` (units s, m, h), from 1 minute
   * to 24 hours and at least two ServiceMonitor scrape intervals. Default `"5m"`.
   */
  interval?: string;
  /** Highest share (0–1) of failed requests on the canary pods in a step window (`nv_inference_request_failure` over all requests). Default 0.01. */
  maxErrorRate?: number;
  /**
   * Highest mean request latency, in milliseconds, on the canary pods in a step window
   * (`nv_inference_request_duration_us` over all requests). Default: not checked.
   */
  maxMeanLatencyMs?: number;
  /**
   * Highest 99th-percentile request latency, in milliseconds, on the canary pods in a step
   * window: `histogram_quantile(0.99, …)` over the runtime's `hybridai_request_duration_seconds`
   * histogram (buckets from 0.5 ms to 10 s, about three a decade; the quantile is interpolated
   * within a bucket). Default: not checked.
   */
  maxP99Ms?: number;
  /**
   * Highest share (0–1) of shadow comparisons that disagree on the canary pods
   * (`hybridai_shadow_disagreement_total` over `hybridai_shadow_requests_total`). Needs a shadow
   * in the new model version's config (e.g. the stable Service's URL), or every step is
   * inconclusive and the rollout pauses. Default: not checked.
   */
  maxShadowDisagreement?: number;
  /** The Gateway whose HTTPRoute Argo Rollouts shifts between the stable and canary Services. */
  gateway: GatewayRef;
  /** Host names the route matches. Default: all the Gateway accepts. */
  hostnames?: string[];
  /**
   * URL of the Prometheus the analysis queries. Default
   * `http://prometheus-operated.monitoring.svc.cluster.local:9090` (the Prometheus Operator's
   * Service in the `monitoring` namespace, as kube-prometheus-stack installs it).
   */
  prometheusUrl?: string;
  /**
   * Resources the Rollout and AnalysisTemplate cannot be created before: the {@link ArgoRollouts}
   * component (its CRDs, controller and Gateway API plugin) when this program installs it.
   */
  waitFor?: pulumi.Input<Dependency[]>;
}

/**
 * Shadow traffic at the edge of the cluster: the Gateway copies every request the service's
 * HTTPRoute matches to a second Service (Gateway API `RequestMirror` filter) and discards the
 * copy's answer, so a candidate model sees production traffic without answering anyone. Compare
 * the two on their own metrics; for sampled, per-request output comparison use the runtime's
 * shadow instead.
 */
export interface ServingMirror {
  /** Name of the Service receiving the copies, e.g. another OnnxService's `serviceName`. */
  service: string;
  /**
   * Its namespace. Default: this service's namespace. Another namespace gets a ReferenceGrant
   * there that lets this service's HTTPRoute send it requests.
   */
  namespace?: string;
  /** Its port. Default: this service's port. */
  port?: number;
  /**
   * The Gateway whose HTTPRoute carries the mirror, when neither `canary` nor `rollout` already
   * routes the service through one (with them, leave it unset: the mirror joins their route).
   */
  gateway?: GatewayRef;
  /** Host names of that route. Default: all the Gateway accepts. Only with `gateway`. */
  hostnames?: string[];
}

/**
 * The nodes a service's pods need, when the same program creates them (a stack's cluster
 * section fills this in for its services).
 */
export interface ServingCapacity {
  /**
   * Resources the pods cannot start before: the node groups, fleets or node pools carrying the
   * service's accelerator, and the device plugin that advertises it. Every object of the
   * service waits for them (`dependsOn`), so nothing is applied while no node can run the pods.
   */
  waitFor: pulumi.Input<Dependency[]>;
  /**
   * Accelerator types whose nodes come from groups mixing spot and on-demand instances
   * (`aws.SpotFleet`): a `spot: false` service on them is refused, because the group's
   * scale-from-zero template cannot promise an on-demand node and cluster-autoscaler would add
   * and remove nodes forever. Default none.
   */
  mixedCapacityAccelerators?: AcceleratorType[];
}

/** The load balancers an {@link OnnxService} can be exposed through, by name. */
export const ExposureLoadBalancer = {
  /** An internet-facing Network Load Balancer with IP targets (AWS Load Balancer Controller). */
  AwsNlb: "aws-nlb",
  /** GKE's external passthrough Network Load Balancer (backend-service based). */
  GcpPassthrough: "gcp-passthrough",
  /** A GKE Gateway: Google's global external Application Load Balancer. */
  GcpGateway: "gcp-gateway",
} as const;

/** The load balancers an {@link OnnxService} can be exposed through. */
export const EXPOSURE_LOAD_BALANCERS: readonly ExposureLoadBalancer[] =
  Object.values(ExposureLoadBalancer);

/**
 * A load balancer in front of the service: `aws-nlb` (an internet-facing Network Load Balancer
 * with IP targets, made by the AWS Load Balancer Controller), `gcp-passthrough` (GKE's external
 * passthrough Network Load Balancer, backend-service based) or `gcp-gateway` (a GKE Gateway:
 * Google's global external Application Load Balancer).
 */
export type ExposureLoadBalancer = (typeof ExposureLoadBalancer)[keyof typeof ExposureLoadBalancer];

/** TLS where the load balancer ends it. */
export interface ExposureTls {
  /** `aws-nlb`: the ACM certificate (ARN) of the NLB's TLS listener. */
  certificateArn?: pulumi.Input<string>;
  /** `aws-nlb`: the listener's security policy. Default `ELBSecurityPolicy-TLS13-1-2-2021-06`. */
  sslPolicy?: string;
  /** `gcp-gateway`: the Certificate Manager certificate map of the Gateway's HTTPS listener. */
  certificateMap?: pulumi.Input<string>;
}

/**
 * Exposure of the service beyond the cluster, through one cloud's load balancer. Requires
 * {@link OnnxServiceArgs.auth}: the runtime then answers only requests with the bearer token,
 * except `/v2/health/*` and `/metrics`, so outside health checks (Route 53, Cloud DNS) work
 * without one.
 */
export interface ServingExposure {
  /** Which load balancer; see {@link ExposureLoadBalancer}. */
  loadBalancer: ExposureLoadBalancer;
  /**
   * Client networks allowed to connect (IPv4 CIDRs): the NLB's security group (`aws-nlb`) or
   * the firewall rules (`gcp-passthrough`) admit only them. Default `["0.0.0.0/0"]`. For
   * `gcp-gateway` the allow-list is a Cloud Armor policy: name it in `gcpSecurityPolicy`.
   */
  sourceRanges?: string[];
  /** TLS at the load balancer. `gcp-passthrough` cannot end TLS (it forwards TCP unchanged). */
  tls?: ExposureTls;
  /**
   * Serve without TLS, sending the bearer token in clear over the internet. Default `false`:
   * an exposure without `tls` is refused unless this is `true`.
   */
  allowPlaintext?: boolean;
  /** Port clients connect to. Default 443 with TLS, 80 without (`gcp-gateway`: always 443). */
  port?: number;
  /**
   * `aws-nlb`: the VPC CIDR(s) the NLB's own connections (traffic and target health checks to
   * pod IPs) come from, admitted by the pods' NetworkPolicy (`EksCluster.vpcCidrBlock`). Required
   * for `aws-nlb`.
   */
  vpcCidrs?: pulumi.Input<string>[];
  /** `gcp-gateway`: a Cloud Armor backend security policy (name) attached to the service. */
  gcpSecurityPolicy?: string;
  /** `gcp-gateway`: a reserved global static IP address (name) for the Gateway. Default: an ephemeral one. */
  gcpAddressName?: string;
  /**
   * What must exist before the exposed Service: for `aws-nlb`, the AWS Load Balancer Controller
   * (`EksCluster.loadBalancerController`), whose webhook and reconciler must be up.
   */
  waitFor?: pulumi.Input<Dependency[]>;
}

/**
 * The runtime's gRPC side: the Open Inference Protocol over gRPC, as Triton serves it
 * (`inference.GRPCInferenceService`, so `tritonclient.grpc` and KServe's gRPC clients work), plus
 * `grpc.health.v1.Health`.
 */
export interface ServingGrpc {
  /**
   * Container and Service port, named `grpc` with `appProtocol: kubernetes.io/h2c` (cleartext
   * HTTP/2), which service meshes and Gateway API `GRPCRoute` backends recognise. Default 8001,
   * as Triton.
   */
  port?: number;
  /**
   * Probe the pods with Kubernetes' native gRPC probes (`grpc.health.v1`; Kubernetes ≥ 1.24,
   * GA in 1.27) instead of HTTP: readiness asks for the server (`""`), startup and liveness for
   * the runtime's `live` service. Default `false` (HTTP probes on `/v2/health/*`).
   */
  probes?: boolean;
}

/**
 * An OTLP collector inside the cluster, addressed by its Service: spans go to
 * `http://<name>.<namespace>.svc:<port>` (OTLP/HTTP, protobuf), and the pods' egress policy
 * admits that namespace (and `podLabels`, when given) on that port. The defaults are those of
 * {@link OpenTelemetryCollector}: pass its `ref` to address one this program installs.
 */
export interface TracingCollectorRef {
  /** Name of the collector's Service. Default `otel-collector`. */
  name?: string;
  /** Namespace of the collector. Default `observability`. */
  namespace?: string;
  /** Its OTLP/HTTP port. Default 4318. */
  port?: number;
  /**
   * Labels of the collector's pods: the egress rule then admits only those pods of the
   * namespace. Default: any pod of the namespace.
   */
  podLabels?: Record<string, string>;
}

/**
 * OpenTelemetry tracing of the runtime (spans for every request, its queue wait, batch and
 * execution, fallback and shadow calls), exported over OTLP/HTTP. Set as the standard `OTEL_*`
 * environment variables of the serving container. Spans go to `endpoint`, or else to
 * `collector` (default: the {@link OpenTelemetryCollector} defaults, `otel-collector` in
 * `observability`); give at most one of the two.
 */
export interface ServingTracing {
  /** Turn tracing on. Default `true` when `tracing` is given; `false` sets nothing. */
  enabled?: boolean;
  /**
   * OTLP/HTTP base URL of a collector outside the cluster (or any URL you prefer),
   * `http(s)://host[:port][/path]`; the runtime appends `/v1/traces`. No credentials in the URL.
   * The egress policy admits its port like `networkPolicy.egress.endpoints`. Excludes
   * `collector`.
   */
  endpoint?: string;
  /** An in-cluster collector by Service name. Excludes `endpoint`. */
  collector?: TracingCollectorRef;
  /**
   * Share of the requests this service starts a trace for, 0–1 (`OTEL_TRACES_SAMPLER_ARG`).
   * Default 0.01: one request in a hundred keeps the collector's and the tracing backend's load
   * (and their bill) proportionate to a busy service's traffic, and it is the rate the runtime's
   * tracing overhead target (at most 3 % more CPU) is set for; raise it while you investigate.
   */
  sampleRate?: number;
  /**
   * Follow the caller's decision when a request carries a W3C `traceparent`
   * (`parentbased_traceidratio`), so a trace sampled at the edge or by a gateway is complete in
   * the cloud whatever this service's own rate. Default `true`; `false` samples by
   * `sampleRate` alone (`traceidratio`).
   */
  parentBased?: boolean;
  /** The `service.name` of the spans (`OTEL_SERVICE_NAME`). Default: the service's Kubernetes name. */
  serviceName?: string;
  /**
   * Further resource attributes (`OTEL_RESOURCE_ATTRIBUTES`), e.g. `{ "deployment.environment":
   * "prod" }`. Keys and values: printable ASCII without spaces, `,` `;` `=` `"` `\` `$` `%`, at
   * most 255 characters. `k8s.namespace.name`, `k8s.pod.name` and `k8s.node.name` are set for
   * you (the pod's from the downward API). Default none.
   */
  resourceAttributes?: Record<string, string>;
}

/** The runtime's bearer token, from a Kubernetes Secret in the service's namespace. */
export interface ServingAuth {
  /** Name of the Secret (it must exist before the pods start). */
  secretName: string;
  /** Key of the token in the Secret. Default `token`. */
  key?: string;
  /**
   * The key holds a tokens file rather than one token: named clients, each with its token's
   * SHA-256, rate limit, daily quota and allowed models (the runtime's `--tokens-file`; see the
   * observability docs). Default `false` (one bearer token, `--auth-token-file`).
   */
  tokensFile?: boolean;
}

/**
 * Arguments of {@link OnnxService}. Values that shape the objects are plain (validated before any
 * resource registers); values other resources produce (URIs, image, identities) may be outputs.
 */
export interface OnnxServiceArgs {
  /** The Kubernetes provider of the target cluster. Default: the ambient provider. */
  provider?: Provider;
  /**
   * Kubernetes name of the objects (a DNS label) and the default model name. Default: the
   * component name. Set it when one program deploys the same service to several clusters.
   */
  name?: string;
  /** Namespace of every object (must exist). Default `default`. */
  namespace?: string;
  /** The model to serve. */
  model: OnnxModelSource;
  /**
   * The serving runtime image (built from `serving-runtime/Dockerfile`). Default
   * {@link DEFAULT_RUNTIME_IMAGE}, or its `-cuda` variant with an accelerator.
   */
  image?: pulumi.Input<string>;
  /** GPUs per replica. Default: none (CPU). NVIDIA types only. */
  accelerator?: AcceleratorSpec;
  /** Replica bounds. Default `{ min: 2, max: 10 }`. */
  replicas?: ReplicaSpec;
  /** CPU and memory. Defaults in {@link ServingResources}. */
  resources?: ServingResources;
  /** Container and Service port of HTTP inference and health. Default 8000. */
  port?: number;
  /**
   * Container and Service port of `/metrics` (the runtime's `--metrics-port`, as Triton's):
   * the ServiceMonitor scrapes it, and the NetworkPolicy admits only
   * `networkPolicy.monitoringNamespace` to it. Default 8002.
   */
  metricsPort?: number;
  /** Tolerate and prefer spot nodes (spread across capacity types). Default `true`; `false` keeps pods off spot. */
  spot?: boolean;
  /**
   * The cloud whose spot notice the grace period must fit: `aws` (120 s) or `gcp` (30 s).
   * Default `"gcp"` (the shortest). For other spot capacity, give `spotNoticeSeconds` instead.
   */
  spotNotice?: SpotNoticeCloud;
  /** The spot notice in whole seconds (1–3600), instead of a cloud's `spotNotice`. Default none. */
  spotNoticeSeconds?: number;
  /** Pod grace period, seconds. Default 25. */
  terminationGracePeriodSeconds?: number;
  /** Pause before SIGTERM so endpoints drop the pod first, seconds. Default 5. */
  preStopSeconds?: number;
  /** Autoscaling signal. Default: 70 % CPU. */
  autoscaling?: ServingAutoscaling;
  /** Cloud identity of the pods. Default: a service account without cloud identity. */
  serviceAccount?: ServingServiceAccount;
  /** Mount a service account token. Default `false` (the runtime never calls the API server; IRSA and Workload Identity do not need it). */
  automountServiceAccountToken?: boolean;
  /**
   * Ingress and egress rules. Default: inference from the same namespace, the metrics port from
   * `monitoring`; egress to DNS, 443 out of the cluster and the model's endpoints only.
   */
  networkPolicy?: ServingNetworkPolicy;
  /** Create a ServiceMonitor (needs the Prometheus Operator CRDs). Default: none. */
  serviceMonitor?: ServingServiceMonitor;
  /**
   * Alerting rules as a PrometheusRule (error ratio, p99 latency, queue saturation, input
   * drift, circuit breaker open, fallback ratio), labelled like the ServiceMonitor so the same
   * Prometheus loads them. Default: on, with the defaults of {@link ServingAlerts}, whenever
   * `serviceMonitor` is set (they need the same Prometheus Operator CRDs); `{ enabled: false }`
   * turns them off.
   */
  alerts?: ServingAlerts;
  /**
   * A Grafana dashboard of the service as a ConfigMap labelled `grafana_dashboard: "1"`, which
   * the Grafana sidecar (kube-prometheus-stack, Grafana's Helm chart) loads. Default: on whenever
   * `serviceMonitor` is set; `{ enabled: false }` turns it off.
   */
  dashboard?: ServingDashboard;
  /** A canary on a new model version. Default: none. */
  canary?: ServingCanary;
  /**
   * Automatic canary analysis and rollback of every new version through Argo Rollouts. Needs
   * `serviceMonitor` (the analysis reads the canary pods' metrics from Prometheus); excludes
   * `canary`. Default: none (a new version rolls the pods directly).
   */
  rollout?: ServingRollout;
  /** Mirror every routed request to a second Service at the Gateway. Default: none. */
  mirror?: ServingMirror;
  /** Extra `hybridai-serve` flags, e.g. `["--intra-op-threads", "4"]`. */
  runtimeArgs?: string[];
  /** Extra environment variables of the serving container (`HYBRIDAI_*` settings). */
  env?: Record<string, pulumi.Input<string>>;
  /** Extra labels on every object and pod. */
  labels?: Record<string, string>;
  /** The nodes the pods need, when this program creates them. Default: none to wait for. */
  capacity?: ServingCapacity;
  /**
   * Minutes `pulumi up` waits for a Deployment to roll out (1–180), and for every Service that
   * selects its pods. Default 30 with an accelerator — a GPU node from zero, its driver and a
   * multi-GB CUDA image take longer than the Kubernetes provider's 10-minute default — and that
   * default without.
   */
  rolloutTimeoutMinutes?: number;
  /**
   * Require `Authorization: Bearer <token>` for inference and metadata (`--auth-token-file`, or
   * `--tokens-file` with `tokensFile`; the Secret mounted read-only). Default: none (in-cluster
   * callers only). Required with `exposure`.
   */
  auth?: ServingAuth;
  /** Expose the service beyond the cluster through a load balancer. Default: none (ClusterIP only). */
  exposure?: ServingExposure;
  /**
   * Serve the Open Inference Protocol over gRPC as well, on its own container and Service port
   * (in-cluster; the load balancer of `exposure` carries HTTP only). Same models, queues, auth
   * token and metrics as HTTP. Default: none (the runtime runs with `--grpc-port 0`).
   */
  grpc?: ServingGrpc;
  /**
   * Export OpenTelemetry traces to a collector: the runtime's `OTEL_*` environment (endpoint,
   * sampler, service name, resource attributes) and an egress rule to the collector. Default:
   * none (tracing off, nothing set).
   */
  tracing?: ServingTracing;
}
