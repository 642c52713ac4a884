import { readFileSync } from "node:fs";
import path from "node:path";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { HybridAiProvider, type PackageSchema } from "../../plugin/provider";
import { resolveTarget } from "../../policies/check/src/program-target";
import { EXAMPLES } from "./run-example";
import { readYamlProgram, runYamlProgram, type Schema, schemaProblems } from "./yaml-program";

const mocks = installMocks();
const folder = path.join(EXAMPLES, "yaml-onnx-service");
const program = readYamlProgram(folder);
const schema = JSON.parse(readFileSync("schema.json", "utf8")) as Schema & PackageSchema;

describe("examples/yaml-onnx-service (Pulumi YAML through the multi-language package)", () => {
  it("is a YAML program that names this package as a source", () => {
    expect(program.runtime).toBe("yaml");
    expect(program.packages).toEqual({ hybridai: "github.com/hybridai/hybridai@v0.1.0" });
    const hybridai = Object.values(program.resources).filter((r) => r.type.startsWith("hybridai:"));
    expect(hybridai.map((r) => r.type)).toEqual([
      "hybridai:index:NvidiaDevicePlugin",
      "hybridai:index:OnnxService",
    ]);
  });

  it("uses only types, properties, enum values and outputs the generated schema has", () => {
    expect(schemaProblems(program, schema)).toEqual([]);
  });

  it("would be refused by the same check with a misspelt property, a wrong enum value or an output in a plain field", () => {
    const broken = structuredClone(program);
    const ranker = broken.resources.ranker?.properties as Record<string, unknown>;
    ranker.replica = { min: 2 };
    ranker.spotNotice = "azure";
    ranker.namespace = `\${serving.urn}`;
    expect(schemaProblems(broken, schema)).toEqual([
      "ranker.namespace: a resource output where the schema wants a plain value",
      'ranker.spotNotice: "azure" is not one of aws, gcp',
      "ranker.replica: not a property of the object",
    ]);
  });

  it("runs under mocks through the package's provider: the device plugin, then the L4 service after it and the namespace", async () => {
    const target = resolveTarget({
      kind: "program",
      program: folder,
      configFile: path.join(folder, "Pulumi.dev.yaml"),
    });
    const config = { ...target.config, "yaml-onnx-service:kubeconfig": "{}" } as Record<
      string,
      string
    >;
    mocks.setConfig(config);
    const outputs = await runYamlProgram(program, config, new HybridAiProvider(schema));
    await settle();
    expect(await awaitOutput(outputs.url as never)).toBe(
      "http://ranker.serving.svc.cluster.local:8000",
    );

    const deployment = mocks.one("kubernetes:apps/v1:Deployment", "ranker");
    const pod = deployment.inputs.spec.template.spec;
    expect(pod.serviceAccountName).toBe("model-reader");
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(pod.initContainers[0].args).toEqual(
      expect.arrayContaining(["s3://models-acme/models/ranker"]),
    );
    expect(deployment.dependencies).toContain(
      mocks.one("kubernetes:core/v1:Namespace", "serving").urn,
    );
    const pluginChildren = mocks.childrenOf(
      mocks.one("hybridai:index:NvidiaDevicePlugin", "gpus").urn,
    );
    expect(pluginChildren.length).toBeGreaterThan(0);
    for (const child of pluginChildren) expect(deployment.dependencies).toContain(child.urn);
    const cluster = mocks.one("pulumi:providers:kubernetes", "cluster");
    expect(deployment.provider).toBe(`${cluster.urn}::${cluster.id}`);

    const objects = validateKubernetesObjects(mocks.resources);
    expect(
      objects
        .filter((o) => o.status === "validated")
        .map((o) => o.kind)
        .sort(),
    ).toEqual([
      "Deployment",
      "HorizontalPodAutoscaler",
      "Namespace",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
    ]);
  });
});
