import { kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import {
  kubernetesImagePinned,
  kubernetesImageRegistryAllowed,
  kubernetesPodSecurityRestricted,
  kubernetesResourceRequests,
} from "../../../policies/compliance/src";
import { violationsOf } from "../harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** LlmService's planned Deployment on each accelerator family, as the engine would pass it. */
function deploymentOf(args: Partial<kubernetes.LlmServiceArgs>) {
  const plan = kubernetes.planLlmService("llm", {
    namespace: "llm",
    model: { uri: "gs://models-bucket/llm" },
    accelerator: { type: "nvidia-l4" },
    ...args,
  });
  return { type: DEPLOYMENT, props: plan.deployment as never };
}

describe("the compliance pack on LlmService's pods", () => {
  const gpu = deploymentOf({});
  const tpu = deploymentOf({ accelerator: { type: "tpu-v5e", topology: "2x4" } });

  it("finds both pods restricted, pinned and with requests", async () => {
    for (const deployment of [gpu, tpu]) {
      expect(await violationsOf(kubernetesPodSecurityRestricted, deployment)).toEqual([]);
      expect(await violationsOf(kubernetesImagePinned, deployment)).toEqual([]);
      expect(await violationsOf(kubernetesResourceRequests, deployment)).toEqual([]);
    }
  });

  it("refuses vLLM's Docker Hub image where only your registries are allowed, and accepts a mirror", async () => {
    const config = { allowedRegistries: ["us-docker.pkg.dev/acme"] };
    const violations = await violationsOf(kubernetesImageRegistryAllowed, gpu, { config });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("docker.io/vllm/vllm-openai:v0.29.0");
    const mirrored = deploymentOf({ image: "us-docker.pkg.dev/acme/vllm/vllm-openai:v0.29.0" });
    expect(await violationsOf(kubernetesImageRegistryAllowed, mirrored, { config })).toEqual([]);
  });

  it("refuses an unpinned image passed in its place", async () => {
    const latest = deploymentOf({ image: "vllm/vllm-openai:latest" });
    expect(await violationsOf(kubernetesImagePinned, latest)).toHaveLength(1);
  });
});
