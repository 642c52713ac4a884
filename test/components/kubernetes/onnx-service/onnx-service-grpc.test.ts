import { Provider } from "@pulumi/kubernetes/provider";
import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const { planOnnxService } = kubernetes;
const mocks = installMocks();

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

// biome-ignore lint/suspicious/noExplicitAny: plans hold plain values here; assertions check shapes
type Plain = any;

function serveContainer(plan: ReturnType<typeof planOnnxService>): Plain {
  return (plan.deployment.spec as Plain).template.spec.containers[0];
}

function argAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

describe("OnnxService gRPC plan (pure)", () => {
  const model = { uri: "s3://models-bucket/models/ranker" };

  it("runs the runtime without gRPC unless asked: --grpc-port 0, HTTP port and probes only", () => {
    const plan = planOnnxService("ranker", { model });
    const serve = serveContainer(plan);
    expect(argAfter(serve.args, "--grpc-port")).toBe("0");
    expect(serve.ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 8002, protocol: "TCP" },
    ]);
    expect((plan.service.spec as Plain).ports.map((p: Plain) => p.name)).toEqual([
      "http",
      "metrics",
    ]);
    expect(plan.grpcPort).toBeUndefined();
    expect(serve.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "http" });
  });

  it("exposes gRPC on 8001 as Triton, named grpc with appProtocol kubernetes.io/h2c, HTTP probes kept", () => {
    const plan = planOnnxService("ranker", { model, grpc: {} });
    const serve = serveContainer(plan);
    expect(argAfter(serve.args, "--grpc-port")).toBe("8001");
    expect(serve.ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 8002, protocol: "TCP" },
      { name: "grpc", containerPort: 8001, protocol: "TCP" },
    ]);
    expect((plan.service.spec as Plain).ports).toEqual([
      { name: "http", port: 8000, targetPort: "http", protocol: "TCP", appProtocol: "http" },
      { name: "metrics", port: 8002, targetPort: "metrics", protocol: "TCP", appProtocol: "http" },
      {
        name: "grpc",
        port: 8001,
        targetPort: "grpc",
        protocol: "TCP",
        appProtocol: "kubernetes.io/h2c",
      },
    ]);
    expect(plan.grpcPort).toBe(8001);
    expect(serve.readinessProbe.httpGet.path).toBe("/v2/health/ready");
    expect(serve.livenessProbe.httpGet.path).toBe("/v2/health/live");
  });

  it("switches the probes to grpc.health.v1: readiness on the server, startup and liveness on 'live'", () => {
    const serve = serveContainer(
      planOnnxService("ranker", { model, grpc: { port: 9001, probes: true } }),
    );
    expect(argAfter(serve.args, "--grpc-port")).toBe("9001");
    expect(serve.readinessProbe).toEqual({
      grpc: { port: 9001, service: "" },
      periodSeconds: 5,
      failureThreshold: 2,
      timeoutSeconds: 2,
    });
    expect(serve.livenessProbe.grpc).toEqual({ port: 9001, service: "live" });
    expect(serve.startupProbe.grpc).toEqual({ port: 9001, service: "live" });
    for (const probe of [serve.readinessProbe, serve.livenessProbe, serve.startupProbe]) {
      expect(probe.httpGet).toBeUndefined();
    }
  });

  it("lets the allowed peers reach the gRPC port, and monitoring only the metrics port", () => {
    const plan = planOnnxService("ranker", {
      model,
      grpc: {},
      networkPolicy: { allowFrom: [{ namespace: "frontend" }] },
    });
    const [clients, monitoring] = (plan.networkPolicy.spec as Plain).ingress;
    expect(clients.ports).toEqual([
      { protocol: "TCP", port: 8000 },
      { protocol: "TCP", port: 8001 },
    ]);
    expect(monitoring.ports).toEqual([{ protocol: "TCP", port: 8002 }]);
  });

  it("gives the canary's Service the gRPC port too", () => {
    const plan = planOnnxService("ranker", {
      model,
      grpc: {},
      canary: { uri: "s3://b/m2", weight: 10, gateway: { name: "gw", namespace: "gateways" } },
    });
    const canary = plan.canary as NonNullable<typeof plan.canary>;
    expect((canary.service.spec as Plain).ports.map((p: Plain) => [p.name, p.port])).toEqual([
      ["http", 8000],
      ["metrics", 8002],
      ["grpc", 8001],
    ]);
    expect(
      argAfter(serveContainer({ ...plan, deployment: canary.deployment }).args, "--grpc-port"),
    ).toBe("8001");
  });

  it("refuses a gRPC port out of range or equal to the HTTP port, naming the field and value", () => {
    const attempt = (grpc: { port?: number }, port?: number) => () =>
      planOnnxService("ranker", { model, grpc, ...(port ? { port } : {}) });
    expect(attempt({ port: 80 })).toThrow(HybridAiConfigError);
    expect(attempt({ port: 80 })).toThrow(/OnnxService.*grpc\.port.*80/);
    expect(attempt({ port: 70000 })).toThrow(/grpc\.port/);
    expect(attempt({ port: 8001.5 })).toThrow(/grpc\.port/);
    expect(attempt({ port: 9000 }, 9000)).toThrow(
      "a port other than the HTTP port (9000): HTTP and gRPC listen side by side",
    );
  });
});

describe("OnnxService with gRPC under mocks", async () => {
  const provider = new Provider("cluster", { kubeconfig: "{}" });
  const service = new kubernetes.OnnxService("ranker", {
    provider,
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker" },
    grpc: { probes: true },
    auth: { secretName: "ranker-token" },
  });
  await settle();
  const urn = await awaitOutput(service.urn);
  const children = mocks.resources.filter((r) => r.parent === urn);
  const one = (type: string): RecordedResource => {
    const found = children.filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0];
  };

  it("validates every Kubernetes object, gRPC probes and ports included, against the schema", () => {
    const validated = validateKubernetesObjects(children);
    expect(validated.filter((v) => v.status === "validated").length).toBeGreaterThanOrEqual(5);
    const serve = one(DEPLOYMENT).inputs.spec.template.spec.containers[0];
    expect(serve.readinessProbe.grpc.port).toBe(8001);
    expect(serve.args).toEqual(expect.arrayContaining(["--auth-token-file"]));
  });

  it("registers the Service with both ports and the NetworkPolicy admitting gRPC", () => {
    const ports = one(SERVICE).inputs.spec.ports;
    expect(ports.map((p: Plain) => `${p.name}:${p.port}:${p.appProtocol}`)).toEqual([
      "http:8000:http",
      "metrics:8002:http",
      "grpc:8001:kubernetes.io/h2c",
    ]);
    const ingress = one(NETPOL).inputs.spec.ingress;
    expect(ingress[0].ports.map((p: Plain) => p.port)).toEqual([8000, 8001]);
  });

  it("outputs the cluster-internal gRPC target", async () => {
    expect(await awaitOutput(service.grpcAddress)).toBe("ranker.serving.svc.cluster.local:8001");
    expect(await awaitOutput(service.url)).toBe("http://ranker.serving.svc.cluster.local:8000");
  });
});
