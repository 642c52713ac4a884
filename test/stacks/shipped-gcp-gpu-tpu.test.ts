import * as pulumi from "@pulumi/pulumi";
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
mocks.setConfig(loadStackConfig("gcp-gpu-tpu"));

it("stacks/index.ts's program deploys the gcp-gpu-tpu file: cluster, GPU and TPU pools, model store and the runtime", async () => {
  const outputs = runStack(pulumi.runtime.allConfig(), STACK_SECTIONS);
  await settle();
  expect(Object.keys(outputs)).toEqual(["gcp", "serving"]);
  expect(mocks.ofType("hybridai:index:GcpGkeCluster")).toHaveLength(1);
  expect(mocks.ofType("hybridai:index:GcpGpuNodePool")).toHaveLength(1);
  expect(mocks.ofType("hybridai:index:GcpTpuNodePool")).toHaveLength(1);
  expect(mocks.ofType("hybridai:index:GcpModelStore")).toHaveLength(1);
  const service = mocks.one("hybridai:index:OnnxService");
  const deployment = mocks
    .ofType("kubernetes:apps/v1:Deployment")
    .find((d) => d.inputs.metadata.name === "ranker");
  expect(deployment?.provider).toContain("ai-gke");
  expect(deployment?.inputs.spec.template.spec.initContainers[0].args).toEqual(
    expect.arrayContaining(["pull", "--to"]),
  );
  const pullFrom = deployment?.inputs.spec.template.spec.initContainers[0].args;
  expect(pullFrom[pullFrom.indexOf("--from") + 1]).toMatch(/^gs:\/\/.+\/ranker$/);
  expect(deployment?.parent).toBe(service.urn);
  const services = await awaitOutput(
    outputs.serving.services as pulumi.Output<Record<string, { url: string }>>,
  );
  expect(services["ai-gke/ranker"].url).toBe("http://ranker.hybridai.svc.cluster.local:8000");
  expect(validateKubernetesObjects(mocks.resources).some((o) => o.kind === "Deployment")).toBe(
    true,
  );
});
