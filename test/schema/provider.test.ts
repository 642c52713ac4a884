import { readFileSync } from "node:fs";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { HybridAiProvider, type PackageSchema } from "../../plugin/provider";

const mocks = installMocks();
const schema = JSON.parse(readFileSync("schema.json", "utf8")) as PackageSchema;
const provider = new HybridAiProvider(schema);

describe("the hybridai component provider (what other languages' programs run)", () => {
  it("serves the committed schema under the npm package's version", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(JSON.parse(provider.schema)).toEqual(schema);
    expect(provider.version).toBe(pkg.version);
  });

  it("constructs an OnnxService from plain inputs: the same objects, its URN, and the outputs the schema lists", async () => {
    const k8s = new Provider("cluster", { kubeconfig: "{}" });
    const result = await provider.construct(
      "ranker",
      "hybridai:index:OnnxService",
      {
        provider: k8s,
        namespace: "serving",
        model: { uri: "s3://models/ranker" },
        replicas: { min: 2, max: 4 },
        spotNotice: "aws",
      },
      {},
    );
    await settle();
    const urn = await awaitOutput(result.urn);
    expect(urn).toMatch(/::hybridai:index:OnnxService::ranker$/);
    const children = mocks.resources.filter((r) => r.parent === urn).map((r) => r.type);
    expect(children).toContain("kubernetes:apps/v1:Deployment");
    expect(children).toContain("kubernetes:core/v1:Service");
    expect(Object.keys(result.state).sort()).toEqual(
      ["grpcAddress", "namespace", "publicAddress", "publicUrl", "serviceName", "url"].sort(),
    );
    expect(await awaitOutput(result.state.url as pulumi.Output<string>)).toBe(
      "http://ranker.serving.svc.cluster.local:8000",
    );
  });

  it("returns resources the schema types as Dependency as { urn } objects", async () => {
    const result = await provider.construct(
      "prod",
      "hybridai:index:AwsEksCluster",
      { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
      {},
    );
    await settle();
    const dependencies = result.state.nodeDependencies as { urn: pulumi.Output<string> }[];
    expect(dependencies.length).toBeGreaterThan(0);
    for (const dependency of dependencies) {
      expect(pulumi.Resource.isInstance(dependency)).toBe(false);
      expect(Object.keys(dependency)).toEqual(["urn"]);
      const urn = await awaitOutput(dependency.urn);
      expect(mocks.resources.some((r) => r.urn === urn && r.custom)).toBe(true);
    }
  });

  it("refuses a type it does not have, listing the ones it has", async () => {
    await expect(provider.construct("x", "hybridai:index:AzureAksCluster", {}, {})).rejects.toThrow(
      /unknown component type hybridai:index:AzureAksCluster; this package has hybridai:index:AwsEksCluster, /,
    );
  });
});
