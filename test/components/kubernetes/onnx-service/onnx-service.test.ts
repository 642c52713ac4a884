import { Provider } from "@pulumi/kubernetes/provider";
import { kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { childrenOf, one } from "../../helpers/component-records";

const mocks = installMocks();

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

describe("OnnxService on a GPU with spot, canary and ServiceMonitor", async () => {
  const provider = new Provider("cluster", { kubeconfig: "{}" });
  const service = new kubernetes.OnnxService("ranker", {
    provider,
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker" },
    image: "registry.example.com/hybridai-serve:1.2.3-cuda",
    accelerator: { type: "nvidia-l4", count: 1 },
    replicas: { min: 2, max: 20 },
    resources: { cpu: "2", memory: "8Gi" },
    spotNotice: "aws",
    terminationGracePeriodSeconds: 60,
    preStopSeconds: 10,
    autoscaling: {
      metric: { name: "nv_inference_queue_duration_us", targetAverageValue: "50000" },
    },
    serviceAccount: { name: "model-reader", awsRoleArn: "arn:aws:iam::123456789012:role/reader" },
    networkPolicy: { allowFrom: [{ namespace: "frontend", podLabels: { app: "web" } }] },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    canary: {
      uri: "s3://models-bucket/models/ranker-v2",
      weight: 10,
      gateway: { name: "inference", namespace: "gateways" },
    },
  });
  const children = await childrenOf(mocks, service);
  const deployment = one(children, DEPLOYMENT, "ranker").inputs;
  const pod = deployment.spec.template.spec;
  const [serve] = pod.containers;
  const [pull] = pod.initContainers;

  it("validates every Kubernetes object against the upstream schema", () => {
    const validated = validateKubernetesObjects(children);
    expect(
      validated
        .filter((v) => v.status === "validated")
        .map((v) => v.kind)
        .sort(),
    ).toEqual([
      "ConfigMap",
      "Deployment",
      "Deployment",
      "HTTPRoute",
      "HorizontalPodAutoscaler",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "PrometheusRule",
      "Service",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
    ]);
  });

  it("names every object explicitly in the namespace and uses the cluster's provider", () => {
    for (const child of children) {
      expect(child.inputs.metadata.namespace, child.type).toBe("serving");
      expect(child.inputs.metadata.name, child.type).toMatch(
        /^(ranker|ranker-canary|ranker-dashboard|model-reader)$/,
      );
      expect(child.provider, child.type).toMatch(/::cluster::/);
    }
  });

  it("pulls the model in an init container into the shared volume", () => {
    expect(pull.args).toEqual([
      "pull",
      "--from",
      "s3://models-bucket/models/ranker",
      "--to",
      "/models/ranker",
    ]);
    expect(pull.image).toBe("registry.example.com/hybridai-serve:1.2.3-cuda");
    expect(pull.volumeMounts).toContainEqual({
      name: "models",
      mountPath: "/models",
      readOnly: false,
    });
    expect(serve.volumeMounts).toContainEqual({
      name: "models",
      mountPath: "/models",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({ name: "models", emptyDir: { sizeLimit: "10Gi" } });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "1Gi" } });
  });

  it("probes the Open Inference Protocol health endpoints", () => {
    expect(serve.livenessProbe.httpGet).toEqual({ path: "/v2/health/live", port: "http" });
    expect(serve.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "http" });
    expect(serve.startupProbe.httpGet.path).toBe("/v2/health/live");
    expect(
      serve.startupProbe.periodSeconds * serve.startupProbe.failureThreshold,
    ).toBeGreaterThanOrEqual(300);
  });

  it("requests the GPU, tolerates its taint and selects its nodes", () => {
    expect(serve.resources).toEqual({
      requests: { cpu: "2", memory: "8Gi" },
      limits: { memory: "8Gi", "nvidia.com/gpu": "1" },
    });
    expect(pod.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(pod.nodeSelector).toEqual({ "hybridai.dev/accelerator": "nvidia-l4" });
  });

  it("prefers spot nodes, tolerates their taints and spreads across zones and capacity types", () => {
    expect(pod.tolerations).toContainEqual({
      key: "hybridai.dev/capacity-type",
      operator: "Equal",
      value: "spot",
      effect: "NoSchedule",
    });
    expect(pod.tolerations).toContainEqual({
      key: "cloud.google.com/gke-spot",
      operator: "Equal",
      value: "true",
      effect: "NoSchedule",
    });
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 80,
        preference: {
          matchExpressions: [
            { key: "hybridai.dev/capacity-type", operator: "In", values: ["spot"] },
          ],
        },
      },
    ]);
    const keys = pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey);
    expect(keys).toEqual([
      "topology.kubernetes.io/zone",
      "hybridai.dev/capacity-type",
      "kubernetes.io/hostname",
    ]);
    for (const constraint of pod.topologySpreadConstraints) {
      expect(constraint.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    }
  });

  it("fits shutdown into the spot notice: grace period, preStop pause, runtime drain", () => {
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(serve.lifecycle.preStop.exec.command).toEqual(["sleep", "10"]);
    expect(serve.args).toEqual([
      "--model-repository",
      "/models",
      "--host",
      "0.0.0.0",
      "--port",
      "8000",
      "--grpc-port",
      "0",
      "--metrics-port",
      "8002",
      "--model-control-mode",
      "none",
      "--drain-timeout-seconds",
      "50",
      "--drain-grace-seconds",
      "0",
    ]);
  });

  it("hardens the pod", () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const container of [serve, pull]) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
    }
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe("model-reader");
  });

  it("binds the service account to the IRSA role without mounting a token", () => {
    const account = one(children, ACCOUNT).inputs;
    expect(account.metadata.name).toBe("model-reader");
    expect(account.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/reader",
    });
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it("autoscales on the named per-pod metric between the replica bounds", () => {
    const hpa = one(children, HPA).inputs.spec;
    expect(hpa.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ranker",
    });
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 20]);
    expect(hpa.metrics).toEqual([
      {
        type: "Pods",
        pods: {
          metric: { name: "nv_inference_queue_duration_us" },
          target: { type: "AverageValue", averageValue: "50000" },
        },
      },
    ]);
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it("keeps one pod at most unavailable during disruptions", () => {
    const pdb = one(children, PDB).inputs.spec;
    expect(pdb.maxUnavailable).toBe(1);
    expect(pdb.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it("lets only the allowed peers in, and the monitoring namespace to the metrics port", () => {
    const policy = one(children, NETPOL).inputs.spec;
    expect(policy.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.podSelector.matchLabels).toEqual({
      "app.kubernetes.io/name": "hybridai-serve",
      "app.kubernetes.io/instance": "ranker",
    });
    expect(policy.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "frontend" } },
            podSelector: { matchLabels: { app: "web" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 8000 }],
      },
      {
        from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ],
        ports: [{ protocol: "TCP", port: 8002 }],
      },
    ]);
  });

  it("lets the pods out only to DNS and to 443 beyond the link-local range", () => {
    const policy = one(children, NETPOL).inputs.spec;
    expect(policy.egress).toEqual([
      {
        to: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } },
          { ipBlock: { cidr: "169.254.20.10/32" } },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
      {
        to: [
          { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
          { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
        ],
        ports: [{ protocol: "TCP", port: 443 }],
      },
    ]);
  });

  it("splits traffic between stable and canary by weight through the Gateway", () => {
    const route = one(children, ROUTE).inputs.spec;
    expect(route.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "inference",
        namespace: "gateways",
      },
    ]);
    expect(route.rules[0].backendRefs).toEqual([
      { group: "", kind: "Service", name: "ranker", port: 8000, weight: 90 },
      { group: "", kind: "Service", name: "ranker-canary", port: 8000, weight: 10 },
    ]);
    const canary = one(children, DEPLOYMENT, "ranker-canary").inputs;
    expect(canary.spec.replicas).toBe(1);
    expect(canary.spec.template.spec.initContainers[0].args[2]).toBe(
      "s3://models-bucket/models/ranker-v2",
    );
    expect(one(children, SERVICE, "ranker").inputs.spec.selector["hybridai.dev/track"]).toBe(
      "stable",
    );
    expect(one(children, SERVICE, "ranker-canary").inputs.spec.selector["hybridai.dev/track"]).toBe(
      "canary",
    );
  });

  it("scrapes /metrics through a ServiceMonitor that selects the services", () => {
    const monitor = one(children, MONITOR).inputs;
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(monitor.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "30s" },
    ]);
    const stable = one(children, SERVICE, "ranker").inputs;
    expect(stable.spec.ports).toContainEqual({
      name: "metrics",
      port: 8002,
      targetPort: "metrics",
      protocol: "TCP",
      appProtocol: "http",
    });
    const serviceLabels = stable.metadata.labels;
    expect(serviceLabels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it("outputs the service name, cluster-internal URL and namespace", async () => {
    expect(await awaitOutput(service.serviceName)).toBe("ranker");
    expect(await awaitOutput(service.url)).toBe("http://ranker.serving.svc.cluster.local:8000");
    expect(await awaitOutput(service.namespace)).toBe("serving");
  });
});

describe("OnnxService with defaults on CPU", async () => {
  const service = new kubernetes.OnnxService("embedder", {
    model: { uri: "gs://bucket/models/embedder" },
  });
  const children = await childrenOf(mocks, service);
  const deployment = one(children, DEPLOYMENT).inputs;
  const pod = deployment.spec.template.spec;

  it("is schema-valid, in the default namespace, with the CPU image and no GPU", () => {
    validateKubernetesObjects(children);
    expect(children.map((c) => c.type).sort()).toEqual(
      [ACCOUNT, DEPLOYMENT, HPA, NETPOL, PDB, SERVICE].sort(),
    );
    expect(deployment.metadata.namespace).toBe("default");
    expect(pod.containers[0].image).toBe("ghcr.io/hybridai/hybridai-serving-runtime:0.1.0");
    expect(pod.containers[0].resources.limits).toEqual({ memory: "2Gi" });
    expect(pod.nodeSelector).toBeUndefined();
  });

  it("defaults to a 25 s grace period with a 5 s pause and a 20 s drain, under GKE's 30 s notice", () => {
    expect(pod.terminationGracePeriodSeconds).toBe(25);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(["sleep", "5"]);
    expect(pod.containers[0].args).toContain("20");
  });

  it("scales on 70 % CPU between 2 and 10 replicas, and allows only same-namespace traffic", () => {
    const hpa = one(children, HPA).inputs.spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 10]);
    expect(hpa.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
    ]);
    expect(one(children, NETPOL).inputs.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: {} } },
    ]);
    expect(one(children, ACCOUNT).inputs.metadata.annotations).toEqual({});
  });

  it("puts a checksum of the runtime config on the pod template", () => {
    expect(
      deployment.spec.template.metadata.annotations[kubernetes.CONFIG_CHECKSUM_ANNOTATION],
    ).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("OnnxService placement and config changes", async () => {
  const onDemand = new kubernetes.OnnxService("critical", {
    model: { uri: "https://models.example.com/critical", name: "critical-model" },
    spot: false,
    terminationGracePeriodSeconds: 300,
    serviceAccount: { gcpServiceAccount: "reader@project.iam.gserviceaccount.com" },
  });
  const changed = new kubernetes.OnnxService("critical-b", {
    model: { uri: "https://models.example.com/critical", name: "critical-model" },
    spot: false,
    terminationGracePeriodSeconds: 300,
    env: { HYBRIDAI_LOG_LEVEL: "debug" },
  });
  const sameAsChanged = (name: string, extra: object) =>
    new kubernetes.OnnxService(name, {
      model: { uri: "https://models.example.com/critical", name: "critical-model" },
      spot: false,
      terminationGracePeriodSeconds: 300,
      env: { HYBRIDAI_LOG_LEVEL: "debug" },
      ...extra,
    });
  const first = await childrenOf(mocks, onDemand);
  const second = await childrenOf(mocks, changed);
  const twin = await childrenOf(mocks, sameAsChanged("critical-c", {}));
  const newRevision = await childrenOf(
    mocks,
    sameAsChanged("critical-d", {
      model: { uri: "https://models.example.com/critical", name: "critical-model", revision: "2" },
    }),
  );
  const newRole = await childrenOf(
    mocks,
    sameAsChanged("critical-e", { serviceAccount: { awsRoleArn: "arn:aws:iam::1:role/r2" } }),
  );
  const podOf = (records: RecordedResource[]) => one(records, DEPLOYMENT).inputs.spec.template;

  it("keeps off-spot pods off spot nodes, allowing a long grace period", () => {
    validateKubernetesObjects([...first, ...second]);
    const pod = podOf(first).spec;
    expect(
      pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [
          { key: "hybridai.dev/capacity-type", operator: "NotIn", values: ["spot"] },
        ],
      },
    ]);
    expect(pod.tolerations).toEqual([]);
    expect(pod.terminationGracePeriodSeconds).toBe(300);
    expect(pod.initContainers[0].args.at(-1)).toBe("/models/critical-model");
  });

  it("annotates the GKE Workload Identity service account", () => {
    expect(one(first, ACCOUNT).inputs.metadata.annotations).toEqual({
      "iam.gke.io/gcp-service-account": "reader@project.iam.gserviceaccount.com",
    });
  });

  it("changes the checksum when the runtime config changes", () => {
    const a = podOf(first).metadata.annotations[kubernetes.CONFIG_CHECKSUM_ANNOTATION];
    const b = podOf(second).metadata.annotations[kubernetes.CONFIG_CHECKSUM_ANNOTATION];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    const checksum = (records: RecordedResource[]) =>
      podOf(records).metadata.annotations[kubernetes.CONFIG_CHECKSUM_ANNOTATION];
    expect(checksum(twin)).toBe(b);
    expect(checksum(newRevision)).not.toBe(b);
    expect(checksum(newRole)).not.toBe(b);
    expect(new Set([a, b, checksum(newRevision), checksum(newRole)]).size).toBe(4);
  });
});

describe("OnnxService rejects bad arguments before any child registers", () => {
  const base = { model: { uri: "s3://b/m" } };
  it.each([
    [
      { ...base, replicas: { min: 5, max: 3 } },
      "OnnxService: replicas.max = 3 is not valid. Allowed: a whole number from replicas.min (5) to 1000.",
    ],
    [
      { ...base, terminationGracePeriodSeconds: 45 },
      'OnnxService: terminationGracePeriodSeconds = 45 is not valid. Allowed: whole seconds from 2 to 30: spot nodes get a 30 s interruption notice (spotNotice "gcp")',
    ],
    [
      { ...base, spotNotice: "aws" as const, terminationGracePeriodSeconds: 150 },
      "Allowed: whole seconds from 2 to 120",
    ],
    [
      { ...base, accelerator: { type: "nvidia-x1" as never } },
      'OnnxService: accelerator.type = "nvidia-x1" is not valid. Allowed: nvidia-t4, nvidia-a10g',
    ],
    [
      { ...base, accelerator: { type: "tpu-v5e" as const } },
      "Allowed: an NVIDIA GPU (the runtime's execution providers are CUDA and CPU)",
    ],
    [
      { ...base, preStopSeconds: 25 },
      "OnnxService: preStopSeconds = 25 is not valid. Allowed: whole seconds from 0 to 24",
    ],
    [{ model: { uri: "ftp://host/m" } }, 'OnnxService: model.uri = "ftp://host/m" is not valid'],
    [
      { model: { uri: "file:///" } },
      'OnnxService: model.uri = "file:///" is not valid. Allowed: a model directory below the root',
    ],
    [
      { ...base, resources: { memory: "lots" } },
      'OnnxService: resources.memory = "lots" is not valid',
    ],
    [
      { ...base, canary: { uri: "s3://b/m2", weight: 120, gateway: { name: "gw" } } },
      "OnnxService: canary.weight = 120 is not valid",
    ],
    [
      { ...base, autoscaling: { metric: { name: "queue-time", targetAverageValue: "1" } } },
      'OnnxService: autoscaling.metric.name = "queue-time" is not valid',
    ],
    [{ ...base, namespace: "Serving" }, 'OnnxService: namespace = "Serving" is not valid'],
  ])("%#: %j", async (args, message) => {
    const before = mocks.resources.length;
    expect(() => new kubernetes.OnnxService("bad", args)).toThrow(message);
    await settle();
    expect(mocks.resources.length).toBe(before);
  });

  it("rejects a component name that is not a DNS label", () => {
    expect(() => new kubernetes.OnnxService("Ranker_V2", base)).toThrow(
      'OnnxService: name = "Ranker_V2" is not valid',
    );
  });
});
