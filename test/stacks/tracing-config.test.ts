import { Provider } from "@pulumi/kubernetes/provider";
import { HybridAiConfigError } from "pulumi-hybridai";
import { installMocks, settle, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runStack } from "../../stacks/program";
import type { StackSection } from "../../stacks/section";
import { STACK_SECTIONS } from "../../stacks/sections";
import type { EdgeStackConfig } from "../../stacks/sections/edge";
import { servingSection } from "../../stacks/sections/serving";
import { loadStackConfig } from "./stack-file";

// Issue 30, deliverable 5: `tracing` in the hybridai:serving and hybridai:edge stack sections
// reaches OnnxService and EdgeFleet unchanged.

const mocks = installMocks();

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the recorded objects' shape
type Plain = any;

/** A cluster section standing in for aws/gcp: one cluster without a model store. */
const oneCluster: StackSection<object> = {
  key: "fake",
  summary: "one fake cluster",
  schema: z.strictObject({}),
  deploy(_config, context) {
    context.clusters.set("k8s", {
      cloud: "edge",
      provider: new Provider("k8s", { kubeconfig: "{}" }),
    });
    return {};
  },
};

function serveEnv(type: string, name: string): Plain[] {
  return mocks
    .one(type, name)
    .inputs.spec.template.spec.containers.find((c: Plain) => c.name === "serve").env;
}

function envValue(env: Plain[], name: string): string | undefined {
  return env.find((e) => e.name === name)?.value;
}

describe("tracing in stack config", () => {
  it("hybridai:serving: a service's tracing becomes its OTEL_* environment", async () => {
    runStack(
      {
        "hybridai:fake": "{}",
        "hybridai:serving": JSON.stringify({
          image: "ghcr.io/example/hybridai-serving-runtime:0.1.0",
          services: [
            {
              name: "ranker",
              cluster: "k8s",
              uri: "https://models.example.com/ranker",
              tracing: { collector: { namespace: "tracing" }, sampleRate: 0.1 },
            },
          ],
        }),
      },
      [oneCluster, servingSection],
    );
    await settle();
    validateKubernetesObjects(mocks.resources);
    const env = serveEnv("kubernetes:apps/v1:Deployment", "k8s-ranker");
    expect(envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(
      "http://otel-collector.tracing.svc:4318",
    );
    expect(envValue(env, "OTEL_TRACES_SAMPLER_ARG")).toBe("0.1");
  });

  it("hybridai:serving: refuses a bad tracing value naming the service's field", () => {
    const withTracing = (tracing: object) => () =>
      runStack(
        {
          "hybridai:fake": "{}",
          "hybridai:serving": JSON.stringify({
            image: "i:1",
            services: [{ name: "x", cluster: "k8s", uri: "https://m.example.com/x", tracing }],
          }),
        },
        [oneCluster, servingSection],
      );
    expect(withTracing({ sampleRate: 3 })).toThrow(
      /services\[0\]\.tracing\.sampleRate = 3 is not valid/,
    );
    expect(withTracing({ rate: 1 })).toThrow(HybridAiConfigError);
  });

  it("hybridai:edge: the fleet's tracing and a site's override reach every site", async () => {
    const edge = structuredClone(loadStackConfig("edge-fleet")["hybridai:edge"]) as EdgeStackConfig;
    edge.tracing = { endpoint: "https://otlp.example.com", sampleRate: 0.05 };
    edge.sites[0].tracing = { enabled: false };
    runStack({ "hybridai:edge": JSON.stringify(edge) }, STACK_SECTIONS);
    await settle();
    const [off, ...traced] = edge.sites.map((site) =>
      serveEnv("kubernetes:apps/v1:StatefulSet", `${edge.name ?? "edge"}-${site.name}`),
    );
    expect(envValue(off, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBeUndefined();
    for (const [i, env] of traced.entries()) {
      expect(envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe("https://otlp.example.com");
      expect(envValue(env, "OTEL_RESOURCE_ATTRIBUTES")).toContain(
        `hybridai.site=${edge.sites[i + 1].name}`,
      );
    }
  });
});
