import * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { runStack } from "../../stacks/program";
import { STACK_SECTIONS } from "../../stacks/sections";
import { loadStackConfig } from "./stack-file";

const mocks = installMocks();
const shipped = loadStackConfig("gcp-gpu-tpu");

/** The shipped stack's raw config (`pulumi.runtime.allConfig()` form) with other LLM services. */
function withLlm(llm: unknown[]): Record<string, string> {
  const raw = Object.fromEntries(
    Object.entries(shipped).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  const serving = shipped["hybridai:serving"] as object;
  return { ...raw, "hybridai:serving": JSON.stringify({ ...serving, llm }) };
}

function refusal(config: Record<string, string>): HybridAiConfigError {
  mocks.setConfig(config);
  try {
    runStack(pulumi.runtime.allConfig(), STACK_SECTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return error as HybridAiConfigError;
  }
  throw new Error("accepted");
}

it("refuses an LLM service on a cluster without its accelerator, and a multi-host slice, before creating anything", () => {
  const before = mocks.resources.length;
  const gpuOnly = refusal(
    withLlm([
      { name: "big", cluster: "ai-gke", accelerator: { type: "nvidia-h100-80gb", count: 8 } },
    ]),
  );
  expect(gpuOnly.message).toContain("hybridai:serving.llm[0].accelerator.type");
  const multiHost = refusal(
    withLlm([
      { name: "big", cluster: "ai-gke", accelerator: { type: "tpu-v5e", topology: "4x4" } },
    ]),
  );
  expect(multiHost.message).toContain("LeaderWorkerSet");
  expect(mocks.resources.length).toBe(before);
});

it("gcp-gpu-tpu serves Qwen2.5-7B-Instruct on its TPU v5e 2x4 slice through LlmService, as the store's reader", async () => {
  mocks.setConfig(shipped);
  const outputs = runStack(pulumi.runtime.allConfig(), STACK_SECTIONS);
  await settle();
  const llm = mocks.one("hybridai:index:LlmService");
  const deployment = mocks
    .ofType("kubernetes:apps/v1:Deployment")
    .find((d) => d.parent === llm.urn);
  const pod = deployment?.inputs.spec.template.spec;
  expect(pod.nodeSelector).toEqual({
    "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
    "cloud.google.com/gke-tpu-topology": "2x4",
  });
  expect(pod.containers[0].resources.limits["google.com/tpu"]).toBe("8");
  expect(pod.serviceAccountName).toBe("model-reader");
  const bucket = mocks.one("gcp:storage/bucket:Bucket");
  const volume = pod.volumes.find((v: { name: string }) => v.name === "model");
  expect(volume.csi.volumeAttributes).toEqual({
    bucketName: bucket.state.name,
    mountOptions: "implicit-dirs,only-dir=models/qwen2-5-7b-instruct",
  });
  // The pods wait for the TPU pool: nothing is applied before a slice can exist.
  const pool = mocks.one("hybridai:index:GcpTpuNodePool");
  const poolNodePools = mocks
    .ofType("gcp:container/nodePool:NodePool")
    .filter((p) => p.parent === pool.urn)
    .map((p) => p.urn);
  expect(poolNodePools.length).toBeGreaterThan(0);
  for (const urn of poolNodePools) expect(deployment?.dependencies).toContain(urn);
  const served = await awaitOutput(
    (outputs.serving as Record<string, unknown>).llm as pulumi.Output<
      Record<string, { url: string; model: string }>
    >,
  );
  expect(served["ai-gke/qwen"]).toEqual({
    url: "http://qwen.hybridai.svc.cluster.local:8000/v1",
    model: "Qwen/Qwen2.5-7B-Instruct",
  });
  validateKubernetesObjects(mocks.resources);
});
