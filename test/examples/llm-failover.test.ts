import { kubernetes } from "pulumi-hybridai";
import { type RecordedResource, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { mandatoryViolations, runExample } from "./run-example";

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

it("serves one model from an EKS L4 fleet and a GKE TPU v5e slice behind one /health-checked name, passing both policy packs", async () => {
  const run = await runExample("llm-failover");
  const { mocks, outputs } = run;
  const deployments = mocks.ofType("kubernetes:apps/v1:Deployment");
  const onProvider = (cloud: string) =>
    deployments.find((d) => d.provider?.includes(`llm-${cloud}`)) as RecordedResource;
  const gpu = onProvider("aws");
  const tpu = onProvider("gcp");
  const gpuPod = gpu.inputs.spec.template.spec;
  const tpuPod = tpu.inputs.spec.template.spec;

  // Tensor parallelism = the accelerators of the pod: one L4; the eight chips of the 2x4 slice.
  expect(gpuPod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
  expect(flag(gpuPod.containers[0].args, "--tensor-parallel-size")).toBe("1");
  expect(tpuPod.containers[0].resources.limits["google.com/tpu"]).toBe("8");
  expect(flag(tpuPod.containers[0].args, "--tensor-parallel-size")).toBe("8");

  // The TPU pod selects exactly the slice the TpuNodePool creates: GKE's labels for v5e 2x4,
  // on the pool's 8-chip single-host machine type.
  const pool = mocks
    .ofType("gcp:container/nodePool:NodePool")
    .find((p) => p.name.startsWith("v5e")) as RecordedResource;
  expect(pool.inputs.nodeConfig.machineType).toBe("ct5lp-hightpu-8t");
  expect(tpuPod.nodeSelector).toEqual({
    "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
    "cloud.google.com/gke-tpu-topology": "2x4",
  });

  // Weights readable through each store's identity: the pods run as the store's reader, whose
  // service account carries the reader role (IRSA) or Google service account (Workload
  // Identity) that the store's bucket policy admits; the URIs are the stores' folders.
  const readers = mocks.ofType("kubernetes:core/v1:ServiceAccount");
  for (const pod of [gpuPod, tpuPod]) expect(pod.serviceAccountName).toBe("model-reader");
  const awsReader = readers.find((r) => r.provider?.includes("llm-aws")) as RecordedResource;
  const gcpReader = readers.find((r) => r.provider?.includes("llm-gcp")) as RecordedResource;
  const readerRole = mocks.ofType("aws:iam/role:Role").find((r) => r.name.includes("models-aws"));
  expect(awsReader.inputs.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(
    readerRole?.state.arn,
  );
  const binding = mocks
    .ofType("gcp:serviceaccount/iAMMember:IAMMember")
    .find((m) => m.inputs.role === "roles/iam.workloadIdentityUser");
  expect(binding?.inputs.member).toBe("serviceAccount:acme-ml.svc.id.goog[llm/model-reader]");
  expect(gcpReader.inputs.metadata.annotations["iam.gke.io/gcp-service-account"]).toBeDefined();
  const bucket =
    mocks.ofType("aws:s3/bucketV2:BucketV2")[0] ?? mocks.ofType("aws:s3/bucket:Bucket")[0];
  expect(gpuPod.containers[0].args[0]).toBe(
    `s3://${bucket?.state.bucket ?? bucket?.state.id}/models/qwen2-5-7b-instruct`,
  );
  expect(flag(gpuPod.containers[0].args, "--load-format")).toBe("runai_streamer");
  const fuse = tpuPod.volumes.find((v: { name: string }) => v.name === "model");
  expect(fuse.csi.volumeAttributes.mountOptions).toBe(
    "implicit-dirs,only-dir=models/qwen2-5-7b-instruct",
  );

  // Probe budgets at least the documented cold start of 15 GiB (docs/llm-serving.md).
  for (const [pod, family] of [
    [gpuPod, "nvidia"],
    [tpuPod, "tpu"],
  ] as const) {
    const probe = pod.containers[0].startupProbe;
    const cold =
      (15 * 1024) / kubernetes.COLD_START.weightsMiBPerSecond +
      kubernetes.COLD_START.engineInitSeconds[family];
    expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(cold);
  }

  // One Route 53 name: the NLB (alias) primary, the Gateway's IP secondary, both on /health.
  const checks = mocks.ofType("aws:route53/healthCheck:HealthCheck");
  expect(checks.map((c) => c.inputs.resourcePath)).toEqual(["/health", "/health"]);
  const records = mocks.ofType("aws:route53/record:Record");
  expect(records.map((r) => r.inputs.failoverRoutingPolicies[0].type).sort()).toEqual([
    "PRIMARY",
    "SECONDARY",
  ]);
  expect(outputs.url).toBe("https://llm.example.com/v1");
  expect(outputs.modelName).toBe("Qwen/Qwen2.5-7B-Instruct");

  // Every Kubernetes object validates against its schema.
  const objects = validateKubernetesObjects(mocks.resources);
  expect(objects.filter((o) => o.status === "skipped" && !o.reason?.startsWith("Helm"))).toEqual(
    [],
  );

  expect(await mandatoryViolations(run)).toEqual([]);
});
