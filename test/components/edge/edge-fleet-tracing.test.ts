import { edge, kubernetes } from "pulumi-hybridai";
import {
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { configErrorOf } from "../helpers/config-error";

// Issue 30, deliverable 5: EdgeFleet's fleet-wide tracing with per-site overrides, the site in
// the resource attributes, and the collector in each site's egress policy.

const mocks = installMocks();
const { planEdgeFleet } = edge;

// biome-ignore lint/suspicious/noExplicitAny: the assertions read the planned objects' shape
type Plain = any;

const model = { uri: "https://models.example.com/ranker", revision: "v7" };
const site = (name: string, ring: number, extra: object = {}) => ({
  name,
  ring,
  region: "eu-central",
  kubeconfig: `/etc/kubeconfigs/${name}.yaml`,
  ...extra,
});
const CLOUD_COLLECTOR = "https://otlp.cloud.example.com";

type Plan = ReturnType<typeof planEdgeFleet>;

function siteNamed(plan: Plan, name: string) {
  const found = plan.rings.flat().find((s) => s.name === name);
  if (!found) throw new Error(`no site ${name}`);
  return found;
}

function envOf(plan: Plan, name: string): Plain[] {
  const pod = (siteNamed(plan, name).statefulSet.spec as Plain).template.spec;
  return pod.containers.find((c: Plain) => c.name === "serve").env;
}

function envValue(env: Plain[], name: string): string | undefined {
  return env.find((e) => e.name === name)?.value;
}

function egressOf(plan: Plan, name: string): Plain[] {
  return (siteNamed(plan, name).service.networkPolicy.spec as Plain).egress;
}

describe("planEdgeFleet: tracing", () => {
  it("sets nothing without tracing", () => {
    const plan = planEdgeFleet("ranker", { model, sites: [site("store-a", 0)] });
    expect(envOf(plan, "store-a").filter((e) => e.name.startsWith("OTEL_"))).toEqual([]);
    expect(egressOf(plan, "store-a")).toHaveLength(2);
  });

  it("traces every site to the fleet's endpoint, naming the site and its region", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [site("store-a", 0), site("store-b", 1, { region: "us-east" })],
      tracing: {
        endpoint: CLOUD_COLLECTOR,
        sampleRate: 0.05,
        resourceAttributes: { "deployment.environment": "prod" },
      },
    });
    for (const [name, region] of [
      ["store-a", "eu-central"],
      ["store-b", "us-east"],
    ]) {
      const env = envOf(plan, name);
      expect(envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(CLOUD_COLLECTOR);
      expect(envValue(env, "OTEL_TRACES_SAMPLER")).toBe("parentbased_traceidratio");
      expect(envValue(env, "OTEL_TRACES_SAMPLER_ARG")).toBe("0.05");
      expect(envValue(env, "OTEL_SERVICE_NAME")).toBe("ranker");
      expect(envValue(env, "OTEL_RESOURCE_ATTRIBUTES")).toBe(
        `k8s.namespace.name=hybridai,k8s.pod.name=$(OTEL_K8S_POD_NAME),k8s.node.name=$(OTEL_K8S_NODE_NAME),deployment.environment=prod,hybridai.site=${name},hybridai.region=${region}`,
      );
      // 443 outside the cluster: the default rule already admits it.
      expect(egressOf(plan, name)).toHaveLength(2);
    }
  });

  it("lets a site override the fleet: its own destination, rate and attributes, or no tracing", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [
        site("store-a", 0),
        site("factory", 0, {
          tracing: {
            collector: { namespace: "telemetry" },
            sampleRate: 1,
            resourceAttributes: { line: "3" },
          },
        }),
        site("clinic", 1, { tracing: { enabled: false } }),
      ],
      tracing: {
        endpoint: "http://otlp.cloud.example.com:4318",
        parentBased: false,
        resourceAttributes: { "deployment.environment": "prod" },
      },
    });
    const factory = envOf(plan, "factory");
    expect(envValue(factory, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(
      "http://otel-collector.telemetry.svc:4318",
    );
    expect(envValue(factory, "OTEL_TRACES_SAMPLER")).toBe("traceidratio");
    expect(envValue(factory, "OTEL_TRACES_SAMPLER_ARG")).toBe("1");
    expect(envValue(factory, "OTEL_RESOURCE_ATTRIBUTES")).toContain(
      ",deployment.environment=prod,line=3,hybridai.site=factory,",
    );
    expect(egressOf(plan, "factory").slice(2)).toEqual([
      {
        to: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "telemetry" } } },
        ],
        ports: [{ protocol: "TCP", port: 4318 }],
      },
    ]);
    // The fleet's plain-http endpoint on 4318: its port out of the cluster, on the other sites.
    expect(egressOf(plan, "store-a").slice(2)).toEqual([
      {
        to: [
          { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
          { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
        ],
        ports: [{ protocol: "TCP", port: 4318 }],
      },
    ]);
    expect(envOf(plan, "clinic").filter((e) => e.name.startsWith("OTEL_"))).toEqual([]);
    expect(egressOf(plan, "clinic")).toHaveLength(2);
  });

  it("traces one site alone", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [site("store-a", 0), site("lab", 0, { tracing: { endpoint: CLOUD_COLLECTOR } })],
    });
    expect(envValue(envOf(plan, "lab"), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(CLOUD_COLLECTOR);
    expect(envValue(envOf(plan, "store-a"), "OTEL_EXPORTER_OTLP_ENDPOINT")).toBeUndefined();
  });

  it.each([
    [{ tracing: { sampleRate: 2 } }, [site("a", 0)], "tracing.sampleRate"],
    [{ tracing: { endpoint: "ftp://otlp.example.com" } }, [site("a", 0)], "tracing.endpoint"],
    [
      {},
      [site("a", 0), site("b", 0, { tracing: { endpoint: CLOUD_COLLECTOR, collector: {} } })],
      "sites[1].tracing",
    ],
    [
      { tracing: { endpoint: CLOUD_COLLECTOR } },
      [site("a", 0, { tracing: { resourceAttributes: { "k8s.node.name": "x" } } })],
      "sites[0].tracing.resourceAttributes.k8s.node.name",
    ],
    [
      { tracing: {}, env: { OTEL_TRACES_SAMPLER: "always_on" } },
      [site("a", 0)],
      "sites[0] (a): env.OTEL_TRACES_SAMPLER",
    ],
  ] as [Plain, Plain[], string][])("refuses %j with sites %j at %s", (extra, sites, field) => {
    const error = configErrorOf(() => planEdgeFleet("ranker", { model, sites, ...extra }));
    expect(error.component).toBe("EdgeFleet");
    expect(error.field).toBe(field);
  });
});

describe("EdgeFleet with tracing under mocks", async () => {
  new edge.EdgeFleet("ranker", {
    model,
    cloudFallback: { url: "https://ranker.cloud.example.com" },
    sites: [site("store-a", 0), site("store-b", 1, { tracing: { collector: {} } })],
    tracing: { endpoint: CLOUD_COLLECTOR },
  });
  await settle();
  const records = mocks.resources.filter((r: RecordedResource) => r.type.startsWith("kubernetes:"));

  it("creates schema-valid objects with the tracing env in each site's StatefulSet", () => {
    expect(validateKubernetesObjects(records).every((o) => o.status === "validated")).toBe(true);
    for (const [name, endpoint] of [
      ["store-a", CLOUD_COLLECTOR],
      ["store-b", "http://otel-collector.observability.svc:4318"],
    ]) {
      const statefulSet = mocks.one("kubernetes:apps/v1:StatefulSet", `ranker-${name}`);
      const serve = statefulSet.inputs.spec.template.spec.containers.find(
        (c: Plain) => c.name === "serve",
      );
      expect(envValue(serve.env, "OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(endpoint);
      expect(envValue(serve.env, "OTEL_RESOURCE_ATTRIBUTES")).toContain(`hybridai.site=${name}`);
    }
    expect(kubernetes.TRACING_ENV_NAMES).toContain("OTEL_RESOURCE_ATTRIBUTES");
  });
});
