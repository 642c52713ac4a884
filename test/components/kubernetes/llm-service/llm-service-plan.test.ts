import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { KubernetesSchemaError, validateKubernetesObject } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const { planLlmService } = kubernetes;
type Args = kubernetes.LlmServiceArgs;

const base: Args = {
  model: { uri: "s3://models/llm/qwen" },
  accelerator: { type: "nvidia-l4", count: 1 },
};

function refusal(args: Partial<Args>, name = "llm"): HybridAiConfigError {
  try {
    planLlmService(name, { ...base, ...args } as Args);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    const config = error as HybridAiConfigError;
    expect(config.component).toBe("LlmService");
    return config;
  }
  throw new Error("accepted");
}

const containerOf = (plan: ReturnType<typeof planLlmService>) =>
  // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
  (plan.deployment.spec as any).template.spec.containers[0];

describe("planLlmService: accelerators", () => {
  it.each([1, 2, 4, 8])(
    "mounts /dev/shm and runs tensor parallelism %i on as many GPUs",
    (count) => {
      const plan = planLlmService("llm", {
        ...base,
        accelerator: { type: "nvidia-h100-80gb", count },
      });
      const vllm = containerOf(plan);
      expect(vllm.args[vllm.args.indexOf("--tensor-parallel-size") + 1]).toBe(String(count));
      expect(vllm.resources.limits["nvidia.com/gpu"]).toBe(String(count));
      // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
      const shm = (plan.deployment.spec as any).template.spec.volumes.find(
        (v: { name: string }) => v.name === "shm",
      );
      expect(shm.emptyDir.medium).toBe("Memory");
      expect(Number.parseInt(shm.emptyDir.sizeLimit, 10)).toBe(1 + 2 * (count - 1));
    },
  );

  it.each([
    ["tpu-v5e", "1x1", 1],
    ["tpu-v5e", "2x2", 4],
    ["tpu-v5e", "2x4", 8],
    ["tpu-v6e", "2x4", 8],
  ] as const)("on %s %s asks for %i chips, its tensor parallelism", (type, topology, chips) => {
    const plan = planLlmService("llm", {
      ...base,
      model: { uri: "gs://models/q" },
      accelerator: { type, topology },
    });
    const vllm = containerOf(plan);
    expect(vllm.resources.limits["google.com/tpu"]).toBe(String(chips));
    expect(plan.accelerator.tensorParallelSize).toBe(chips);
  });

  it("refuses multi-host TPU slices, naming LeaderWorkerSet and the single-host topologies", () => {
    const error = refusal({
      model: { uri: "gs://models/q" },
      accelerator: { type: "tpu-v5e", topology: "4x4" },
    });
    expect(error.field).toBe("accelerator.topology");
    expect(error.allowed).toContain("LeaderWorkerSet");
    expect(error.allowed).toContain("1x1, 2x2, 2x4");
  });

  it("refuses Inferentia, more than 8 GPUs, a topology on a GPU and a count that is not the slice's", () => {
    expect(refusal({ accelerator: { type: "aws-inferentia2" } }).field).toBe("accelerator.type");
    expect(refusal({ accelerator: { type: "nvidia-l4", count: 16 } }).field).toBe(
      "accelerator.count",
    );
    expect(refusal({ accelerator: { type: "nvidia-l4", topology: "2x2" } }).field).toBe(
      "accelerator.topology",
    );
    expect(
      refusal({
        model: { uri: "gs://models/q" },
        accelerator: { type: "tpu-v5e", topology: "2x4", count: 4 },
      }).field,
    ).toBe("accelerator.count");
  });
});

describe("planLlmService: weights and engine", () => {
  it.each([
    [{ uri: "http://example.com/m" }, "model.uri"],
    [{}, "model.uri"],
    [{ uri: "s3://models/q", huggingFaceId: "org/model" }, "model.huggingFaceId"],
    [{ huggingFaceId: "not a model id" }, "model.huggingFaceId"],
    [{ uri: "s3://models/q", revision: "main" }, "model.revision"],
    [{ uri: "s3://models/q", loader: "gcs-fuse" }, "model.uri"],
    [{ uri: "s3://models/q", loader: "nfs" }, "model.loader"],
    [
      { huggingFaceId: "org/model", huggingFaceToken: { secretName: "Bad_Name" } },
      "model.huggingFaceToken.secretName",
    ],
    [{ uri: "s3://models/q", servedName: "-bad" }, "model.servedName"],
    [{ uri: "s3://models/q", sizeGiB: 100 }, "model.sizeGiB"],
  ])("refuses the model %j at %s", (model, field) => {
    expect(refusal({ model: model as Args["model"] }).field).toBe(field);
  });

  it.each([
    [{ maxModelLen: 64 }, "engine.maxModelLen"],
    [{ gpuMemoryUtilization: 1.2 }, "engine.gpuMemoryUtilization"],
    [{ quantization: "int3" }, "engine.quantization"],
    [{ maxNumSeqs: 0 }, "engine.maxNumSeqs"],
    [
      {
        loraAdapters: [
          { name: "a", source: "org/a" },
          { name: "a", source: "org/b" },
        ],
      },
      "engine.loraAdapters[1].name",
    ],
    [{ loraAdapters: [{ name: "a", source: "../../etc" }] }, "engine.loraAdapters[0].source"],
    [{ maxLoraRank: 16 }, "engine.maxLoraRank"],
    [{ loraAdapters: [{ name: "a", source: "org/a" }], maxLoraRank: 12 }, "engine.maxLoraRank"],
    [{ extraArgs: ["--tensor-parallel-size=2"] }, "engine.extraArgs[0]"],
    [{ extraArgs: ["--enable-prefix-caching", "--port", "9000"] }, "engine.extraArgs[1]"],
  ])("refuses the engine %j at %s", (engine, field) => {
    expect(refusal({ engine: engine as Args["engine"] }).field).toBe(field);
  });

  it("turns LoRA adapters into --enable-lora and --lora-modules name=source", () => {
    const plan = planLlmService("llm", {
      ...base,
      engine: { loraAdapters: [{ name: "sql", source: "acme/sql-lora" }], maxLoraRank: 32 },
    });
    const args: string[] = containerOf(plan).args;
    expect(args.slice(args.indexOf("--enable-lora"))).toEqual([
      "--enable-lora",
      "--lora-modules",
      "sql=acme/sql-lora",
      "--max-lora-rank",
      "32",
    ]);
  });
});

describe("planLlmService: resources, scaling, exposure", () => {
  it("refuses a /dev/shm above half the memory, replicas.max without autoscaling and monitoring without a ServiceMonitor", () => {
    expect(refusal({ resources: { memory: "8Gi", shm: "6Gi" } }).field).toBe("resources.shm");
    expect(refusal({ replicas: { min: 1, max: 3 } }).field).toBe("replicas.max");
    expect(refusal({ autoscaling: {} }).field).toBe("serviceMonitor");
    expect(refusal({ alerts: {} }).field).toBe("alerts");
    expect(refusal({ rollout: { gateway: { name: "g" } } }).field).toBe("serviceMonitor");
  });

  it("refuses a layer-4 exposure unless allowUnguardedPaths, and any exposure without auth", () => {
    const nlb = {
      loadBalancer: "aws-nlb" as const,
      allowPlaintext: true,
      vpcCidrs: ["10.0.0.0/16"],
    };
    const error = refusal({ exposure: nlb, auth: { secretName: "key" } });
    expect(error.field).toBe("exposure.loadBalancer");
    expect(error.allowed).toContain("/invocations");
    expect(refusal({ exposure: nlb, allowUnguardedPaths: true }).field).toBe("auth");
    expect(() =>
      planLlmService("llm", {
        ...base,
        exposure: nlb,
        allowUnguardedPaths: true,
        auth: { secretName: "key" },
      }),
    ).not.toThrow();
  });

  it("scales to zero outside the active hours, holding replicas.min inside them", () => {
    const plan = planLlmService("llm", {
      ...base,
      replicas: { min: 2, max: 6 },
      serviceMonitor: {},
      autoscaling: {
        activeHours: { timezone: "Europe/Berlin", start: "0 8 * * 1-5", end: "0 19 * * 1-5" },
      },
    });
    // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
    const spec = plan.scaledObject?.spec as any;
    expect(spec.minReplicaCount).toBe(0);
    expect(spec.triggers[1]).toEqual({
      type: "cron",
      metadata: {
        timezone: "Europe/Berlin",
        start: "0 8 * * 1-5",
        end: "0 19 * * 1-5",
        desiredReplicas: "2",
      },
    });
    validateKubernetesObject(plan.scaledObject as never);
  });

  it.each([
    [{ targetWaitingRequests: 0 }, "autoscaling.targetWaitingRequests"],
    [{ prometheusUrl: "prometheus:9090" }, "autoscaling.prometheusUrl"],
    [
      { activeHours: { timezone: "Mars/Olympus Mons", start: "0 8 * * *", end: "0 9 * * *" } },
      "autoscaling.activeHours.timezone",
    ],
    [
      { activeHours: { timezone: "UTC", start: "8am", end: "0 9 * * *" } },
      "autoscaling.activeHours.start",
    ],
  ])("refuses the autoscaling %j at %s", (autoscaling, field) => {
    expect(
      refusal({ serviceMonitor: {}, autoscaling: autoscaling as Args["autoscaling"] }).field,
    ).toBe(field);
  });
});

describe("the KEDA ScaledObject schema (CRD of chart 2.20.2)", () => {
  const scaled = planLlmService("llm", {
    ...base,
    serviceMonitor: {},
    replicas: { min: 1, max: 3 },
    autoscaling: {},
  }).scaledObject as never as Record<string, unknown> & { spec: Record<string, unknown> };

  it("accepts the planned ScaledObject", () => {
    expect(validateKubernetesObject(scaled).status).toBe("validated");
  });

  it("rejects a malformed one: a string replica count, a trigger without type, min above max", () => {
    for (const spec of [
      { ...scaled.spec, maxReplicaCount: "three" },
      { ...scaled.spec, triggers: [{ metadata: {} }] },
      { ...scaled.spec, minReplicaCount: 5 },
    ]) {
      expect(() => validateKubernetesObject({ ...scaled, spec })).toThrow(KubernetesSchemaError);
    }
  });
});
