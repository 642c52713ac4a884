import { Provider } from "@pulumi/kubernetes/provider";
import { gcp, kubernetes } from "pulumi-hybridai";
import { installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { childrenOf, one } from "../../helpers/component-records";

const mocks = installMocks();

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("LlmService on an EKS L40S fleet: 4 GPUs, S3 weights through IRSA, KEDA, rollout, NLB", async () => {
  const provider = new Provider("eks", { kubeconfig: "{}" });
  const service = new kubernetes.LlmService("llama", {
    provider,
    namespace: "llm",
    model: {
      uri: "s3://models-bucket/models/llama-3-70b-awq",
      servedName: "meta-llama/Llama-3.3-70B-Instruct",
      sizeGiB: 40,
    },
    accelerator: { type: "nvidia-l40s", count: 4 },
    engine: { maxModelLen: 32768, quantization: "awq", gpuMemoryUtilization: 0.92 },
    replicas: { min: 1, max: 4 },
    autoscaling: { targetWaitingRequests: 8 },
    spotNotice: "aws",
    serviceAccount: {
      name: "model-reader",
      awsRoleArn: "arn:aws:iam::123456789012:role/model-reader",
    },
    auth: { secretName: "llm-api-key" },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    rollout: { gateway: { name: "internal" }, maxTimeToFirstTokenMs: 2000, maxQueueTimeMs: 5000 },
    exposure: {
      loadBalancer: "aws-nlb",
      tls: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abc" },
      vpcCidrs: ["10.0.0.0/16"],
    },
    allowUnguardedPaths: true,
  });
  const children = await childrenOf(mocks, service);
  const deployment = one(children, DEPLOYMENT, "llama");
  const pod = deployment.inputs.spec.template.spec;
  const [vllm] = pod.containers;

  it("validates every object against its schema, the KEDA and Argo Rollouts CRDs included", () => {
    const validated = validateKubernetesObjects(children);
    expect(validated.filter((v) => v.status === "skipped")).toEqual([]);
    expect(validated.map((v) => v.kind).sort()).toEqual([
      "AnalysisTemplate",
      "ConfigMap",
      "Deployment",
      "HTTPRoute",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "PrometheusRule",
      "Rollout",
      "ScaledObject",
      "Service",
      "Service",
      "Service",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
    ]);
  });

  it("runs tensor parallelism over the pod's four GPUs and mounts a memory-backed /dev/shm for it", () => {
    expect(vllm.resources.limits["nvidia.com/gpu"]).toBe("4");
    expect(flag(vllm.args, "--tensor-parallel-size")).toBe("4");
    const shm = pod.volumes.find((v: { name: string }) => v.name === "shm");
    expect(shm.emptyDir).toEqual({ medium: "Memory", sizeLimit: "7Gi" });
    expect(vllm.volumeMounts).toContainEqual({ name: "shm", mountPath: "/dev/shm" });
  });

  it("streams the weights from S3 with the pod's IRSA role (Run:ai streamer)", () => {
    expect(vllm.args[0]).toBe("s3://models-bucket/models/llama-3-70b-awq");
    expect(flag(vllm.args, "--load-format")).toBe("runai_streamer");
    expect(pod.serviceAccountName).toBe("model-reader");
    const account = one(children, "kubernetes:core/v1:ServiceAccount");
    expect(account.inputs.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/model-reader",
    });
  });

  it("passes the engine settings as vLLM's flags and the API key from its Secret", () => {
    expect(flag(vllm.args, "--served-model-name")).toBe("meta-llama/Llama-3.3-70B-Instruct");
    expect(flag(vllm.args, "--max-model-len")).toBe("32768");
    expect(flag(vllm.args, "--quantization")).toBe("awq");
    expect(flag(vllm.args, "--gpu-memory-utilization")).toBe("0.92");
    expect(vllm.env).toContainEqual({
      name: "VLLM_API_KEY",
      valueFrom: { secretKeyRef: { name: "llm-api-key", key: "token" } },
    });
    expect(vllm.image).toBe("docker.io/vllm/vllm-openai:v0.29.0");
  });

  it("probes /health, with a startup budget that fits a cold load of 40 GiB and a rollout budget for the node and image", () => {
    const startup = vllm.startupProbe;
    expect(startup.httpGet).toEqual({ path: "/health", port: "http" });
    const cold = (40 * 1024) / kubernetes.COLD_START.weightsMiBPerSecond + 600;
    expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(cold);
    expect(vllm.readinessProbe.httpGet.path).toBe("/health");
    const rolloutSeconds = deployment.inputs.spec.progressDeadlineSeconds;
    expect(rolloutSeconds).toBeGreaterThanOrEqual(cold + 900 + 900);
    expect(deployment.options.customTimeouts.create).toBe(`${rolloutSeconds / 60}m`);
  });

  it("gives every object that waits for ready pods the Deployment's budget", () => {
    const budget = deployment.options.customTimeouts;
    for (const name of ["llama", "llama-public"]) {
      expect(one(children, SERVICE, name).options.customTimeouts, name).toEqual(budget);
    }
    const rollout = one(children, "kubernetes:argoproj.io/v1alpha1:Rollout");
    expect(rollout.options.customTimeouts).toEqual(budget);
    expect(rollout.inputs.spec.progressDeadlineSeconds).toBe(
      deployment.inputs.spec.progressDeadlineSeconds,
    );
  });

  it("scales the Rollout on vLLM's queue through KEDA", () => {
    const scaled = one(children, SCALED_OBJECT).inputs.spec;
    expect(scaled.scaleTargetRef).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      name: "llama",
    });
    expect(scaled).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 4 });
    expect(scaled.triggers).toEqual([
      {
        type: "prometheus",
        metricType: "AverageValue",
        metadata: {
          serverAddress: "http://prometheus-operated.monitoring.svc.cluster.local:9090",
          query:
            'sum(vllm:num_requests_waiting{namespace="llm",model_name="meta-llama/Llama-3.3-70B-Instruct"}) or vector(0)',
          threshold: "8",
        },
      },
    ]);
    expect(deployment.inputs.spec.replicas).toBe(0);
  });

  it("judges canaries on vLLM's 5xx ratio, time to first token and queue time", () => {
    const template = one(children, "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate").inputs;
    expect(template.spec.metrics.map((m: { name: string }) => m.name)).toEqual([
      "error-rate",
      "ttft-p99-ms",
      "queue-p99-ms",
    ]);
    const ttft = template.spec.metrics[1];
    expect(ttft.provider.prometheus.query).toContain("vllm:time_to_first_token_seconds_bucket");
    expect(ttft.successCondition).toBe("result[0] <= 2000");
  });

  it("health-checks /health through the NLB", () => {
    const lb = one(children, SERVICE, "llama-public").inputs;
    expect(
      lb.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-healthcheck-path"],
    ).toBe("/health");
  });
});

describe("LlmService on a GKE TPU v5e 2x4 slice: GCS FUSE weights through Workload Identity", async () => {
  const provider = new Provider("gke", { kubeconfig: "{}" });
  const accelerator = { type: "tpu-v5e", topology: "2x4" } as const;
  const service = new kubernetes.LlmService("qwen", {
    provider,
    namespace: "llm",
    model: { uri: "gs://acme-models/models/qwen2-5-7b-instruct", servedName: "qwen2.5-7b" },
    accelerator,
    serviceAccount: { name: "model-reader", create: false },
    serviceMonitor: {},
    exposure: {
      loadBalancer: "gcp-gateway",
      tls: { certificateMap: "llm-certs" },
    },
    auth: { secretName: "llm-api-key", key: "key" },
  });
  const children = await childrenOf(mocks, service);
  const pod = one(children, DEPLOYMENT).inputs.spec.template.spec;
  const [vllm] = pod.containers;
  const pool = gcp.planTpuNodePool(
    { accelerator, capacity: { min: 0, max: 1, spot: {} }, zone: "us-central1-a" },
    { project: "acme-ml", region: "us-central1" },
  );

  it("validates every object against its schema", () => {
    const validated = validateKubernetesObjects(children);
    expect(validated.filter((v) => v.status === "skipped")).toEqual([]);
  });

  it("asks for the chips of one host and selects the slice the TpuNodePool creates for the same spec", () => {
    expect(vllm.resources.limits["google.com/tpu"]).toBe(String(pool.slice.chipsPerNode));
    expect(pod.nodeSelector).toEqual({
      "cloud.google.com/gke-tpu-accelerator": pool.slice.gkeAcceleratorType,
      "cloud.google.com/gke-tpu-topology": pool.slice.topology,
    });
    expect(pool.parts[0]?.nodePool.nodeConfig?.machineType).toBe("ct5lp-hightpu-8t");
    expect(pod.tolerations).toContainEqual({
      key: "google.com/tpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
  });

  it("runs tensor parallelism over every chip of the slice, on the TPU image", () => {
    expect(flag(vllm.args, "--tensor-parallel-size")).toBe(String(pool.slice.chips));
    expect(vllm.image).toBe("docker.io/vllm/vllm-tpu:v0.29.0");
  });

  it("mounts the model folder read-only through GKE's Cloud Storage FUSE driver as the store's reader", () => {
    expect(vllm.args[0]).toBe("/models");
    const model = pod.volumes.find((v: { name: string }) => v.name === "model");
    expect(model.csi).toEqual({
      driver: "gcsfuse.csi.storage.gke.io",
      readOnly: true,
      volumeAttributes: {
        bucketName: "acme-models",
        mountOptions: "implicit-dirs,only-dir=models/qwen2-5-7b-instruct",
      },
    });
    expect(
      one(children, DEPLOYMENT).inputs.spec.template.metadata.annotations["gke-gcsfuse/volumes"],
    ).toBe("true");
    expect(pod.serviceAccountName).toBe("model-reader");
    expect(children.filter((c) => c.type === "kubernetes:core/v1:ServiceAccount")).toEqual([]);
  });

  it("budgets the TPU's XLA compilation into the startup probe", () => {
    const probe = vllm.startupProbe;
    expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(1800);
  });

  it("routes only /v1 and /health through the Gateway and health-checks /health", () => {
    const route = one(children, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs;
    expect(route.spec.rules[0].matches).toEqual([
      { path: { type: "PathPrefix", value: "/v1" } },
      { path: { type: "PathPrefix", value: "/health" } },
    ]);
    const check = one(children, "kubernetes:networking.gke.io/v1:HealthCheckPolicy").inputs;
    expect(check.spec.default.config.httpHealthCheck.requestPath).toBe("/health");
  });
});

describe("LlmService on a GKE L4 pool: one GPU, a Hub model cached on a claim", async () => {
  const service = new kubernetes.LlmService("gemma", {
    model: {
      huggingFaceId: "google/gemma-2-9b-it",
      revision: "main",
      huggingFaceToken: { secretName: "hf-token" },
    },
    accelerator: { type: "nvidia-l4" },
    cache: { claimName: "hf-cache" },
  });
  const children = await childrenOf(mocks, service);
  const deployment = one(children, DEPLOYMENT).inputs;
  const pod = deployment.spec.template.spec;
  const [vllm] = pod.containers;

  it("validates every object and keeps a fixed replica count without autoscaling", () => {
    validateKubernetesObjects(children);
    expect(deployment.spec.replicas).toBe(1);
    expect(children.filter((c) => c.type === SCALED_OBJECT)).toEqual([]);
  });

  it("downloads into the claim (Hugging Face and vLLM's compile cache survive restarts)", () => {
    expect(vllm.args[0]).toBe("google/gemma-2-9b-it");
    expect(flag(vllm.args, "--revision")).toBe("main");
    expect(pod.volumes).toContainEqual({
      name: "cache",
      persistentVolumeClaim: { claimName: "hf-cache" },
    });
    expect(vllm.env).toContainEqual({ name: "HF_HOME", value: "/cache/huggingface" });
    expect(vllm.env).toContainEqual({
      name: "HF_TOKEN",
      valueFrom: { secretKeyRef: { name: "hf-token", key: "token" } },
    });
  });

  it("runs one GPU without tensor parallelism, on hybridai's accelerator label, as a non-root user", () => {
    expect(flag(vllm.args, "--tensor-parallel-size")).toBe("1");
    expect(pod.nodeSelector).toEqual({ "hybridai.dev/accelerator": "nvidia-l4" });
    expect(vllm.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 2000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });
});
