import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as library from "pulumi-hybridai";
import { beforeAll, describe, expect, it } from "vitest";
import { generatePackageSchema } from "../../scripts/schema/generate";

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  plain?: boolean;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<
    string,
    {
      isComponent: boolean;
      inputProperties: Record<string, Property>;
      requiredInputs: string[];
      properties: Record<string, Property>;
    }
  >;
  types: Record<
    string,
    { type: string; enum?: { value: string }[]; properties?: Record<string, Property> }
  >;
}

const committed = JSON.parse(readFileSync("schema.json", "utf8")) as Schema;
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
const kubernetesVersion = (
  JSON.parse(readFileSync("node_modules/@pulumi/kubernetes/package.json", "utf8")) as {
    version: string;
  }
).version;

/** The type tokens of the public components, as the docs' component tables name them. */
const EXPECTED_TOKENS = [
  "hybridai:index:ArgoRollouts",
  "hybridai:index:AwsEksCluster",
  "hybridai:index:AwsExistingEksCluster",
  "hybridai:index:AwsGpuNodeGroup",
  "hybridai:index:AwsModelStore",
  "hybridai:index:AwsSpotFleet",
  "hybridai:index:EdgeFleet",
  "hybridai:index:EdgeHost",
  "hybridai:index:FailoverEndpoint",
  "hybridai:index:GcpExistingGkeCluster",
  "hybridai:index:GcpGkeCluster",
  "hybridai:index:GcpGpuNodePool",
  "hybridai:index:GcpModelStore",
  "hybridai:index:GcpTpuNodePool",
  "hybridai:index:Keda",
  "hybridai:index:LlmService",
  "hybridai:index:NvidiaDevicePlugin",
  "hybridai:index:OnnxService",
  "hybridai:index:OpenTelemetryCollector",
];

/**
 * Every class exported from `pulumi-hybridai` (top level or one namespace deep) that extends
 * ComponentResource, found by walking the exports independently of the plugin's catalog.
 */
function exportedComponentClasses(): { path: string; value: unknown }[] {
  const found: { path: string; value: unknown }[] = [];
  const isComponent = (v: unknown): boolean =>
    typeof v === "function" &&
    (v as { prototype: unknown }).prototype instanceof pulumi.ComponentResource;
  for (const [key, value] of Object.entries(library)) {
    if (isComponent(value)) found.push({ path: key, value });
    else if (value && typeof value === "object") {
      for (const [member, inner] of Object.entries(value)) {
        if (isComponent(inner)) found.push({ path: `${key}.${member}`, value: inner });
      }
    }
  }
  return found;
}

describe("schema.json", () => {
  let regenerated: Schema;
  beforeAll(() => {
    regenerated = generatePackageSchema() as unknown as Schema;
  }, 300_000);

  it("is what `npm run schema` generates from the sources now (run it and commit the result)", () => {
    expect(committed).toEqual(regenerated);
  });

  it("describes every component the package exports, under the token it registers, and nothing else", () => {
    const exported = exportedComponentClasses();
    expect(exported).toHaveLength(EXPECTED_TOKENS.length);
    expect(Object.keys(committed.resources).sort()).toEqual(EXPECTED_TOKENS);
    for (const resource of Object.values(committed.resources)) {
      expect(resource.isComponent).toBe(true);
    }
  });

  it("carries the package's name and the npm package's version", () => {
    expect(committed.name).toBe("hybridai");
    expect(committed.version).toBe(pkg.version);
  });

  it("keeps validation in the types: accelerator models and other fixed choices are enums", () => {
    const accelerator = committed.types["hybridai:index:AcceleratorType"];
    expect(accelerator?.type).toBe("string");
    expect(accelerator?.enum?.map((e) => e.value)).toEqual([
      "nvidia-t4",
      "nvidia-a10g",
      "nvidia-l4",
      "nvidia-l40s",
      "nvidia-a100-40gb",
      "nvidia-a100-80gb",
      "nvidia-h100-80gb",
      "aws-inferentia2",
      "tpu-v5e",
      "tpu-v5p",
      "tpu-v6e",
    ]);
    expect(committed.types["hybridai:index:AcceleratorSpec"]?.properties?.type).toMatchObject({
      $ref: "#/types/hybridai:index:AcceleratorType",
    });
    expect(
      committed.types["hybridai:index:SpotNoticeCloud"]?.enum?.map((e) => e.value).sort(),
    ).toEqual(["aws", "gcp"]);
    expect(
      committed.resources["hybridai:index:OnnxService"]?.inputProperties.spotNoticeSeconds,
    ).toMatchObject({
      type: "number",
    });
  });

  it("describes resources to wait for as { urn }, not as an unrepresentable pulumi.Resource", () => {
    expect(committed.types["hybridai:index:Resource"]).toBeUndefined();
    expect(committed.types["hybridai:index:Dependency"]?.properties).toEqual({
      urn: expect.objectContaining({ type: "string" }),
    });
    const capacity = committed.types["hybridai:index:ServingCapacity"]?.properties?.waitFor;
    expect(capacity?.items?.$ref).toBe("#/types/hybridai:index:Dependency");
  });

  it("refers to Kubernetes providers as the kubernetes package's provider", () => {
    const cluster = committed.types["hybridai:index:EksClusterRef"]?.properties?.provider;
    expect(cluster?.$ref).toBe(`/kubernetes/v${kubernetesVersion}/schema.json#/provider`);
    const refs = JSON.stringify(committed).match(/"\$ref":"\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref).toMatch(/schema\.json#\/(provider|resources\/[a-z0-9-]+:[^"]+)"$/);
    }
  });
});
