import * as pulumi from "@pulumi/pulumi";
import { edge, HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

// Issue 24, deliverable 7: OnnxService and EdgeFleet deploy the runtime with model control off,
// /metrics on its own port admitted only from the monitoring namespace, and an egress policy
// (DNS, 443 out of the cluster, the model's endpoints; never the cloud metadata server unless
// the pods take a GKE Workload Identity from it).

const mocks = installMocks();
const { planOnnxService } = kubernetes;

// biome-ignore lint/suspicious/noExplicitAny: the assertions check the planned objects' shape
type Plain = any;

const model = { uri: "s3://models-bucket/models/ranker" };

function serveArgs(plan: ReturnType<typeof planOnnxService>): string[] {
  return (plan.deployment.spec as Plain).template.spec.containers[0].args;
}

function egressOf(plan: ReturnType<typeof planOnnxService>): Plain[] {
  return (plan.networkPolicy.spec as Plain).egress;
}

const DNS = {
  to: [
    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } },
    { ipBlock: { cidr: "169.254.20.10/32" } },
  ],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};
const OUTSIDE = [
  { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
  { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
];

describe("model control and the metrics port", () => {
  it("runs the runtime with --model-control-mode none and --metrics-port 8002 by default", () => {
    const args = serveArgs(planOnnxService("ranker", { model }));
    expect(args.join(" ")).toContain("--metrics-port 8002 --model-control-mode none");
  });

  it("leaves the model control mode to runtimeArgs when they name one", () => {
    const args = serveArgs(
      planOnnxService("ranker", {
        model,
        runtimeArgs: ["--model-control-mode", "poll", "--repository-poll-seconds", "30"],
      }),
    );
    expect(args.filter((arg) => arg === "--model-control-mode")).toHaveLength(1);
    expect(args.join(" ")).toContain("--model-control-mode poll");
  });

  it("takes another metrics port, and refuses one shared with HTTP or gRPC", () => {
    const plan = planOnnxService("ranker", { model, metricsPort: 9102 });
    expect(serveArgs(plan).join(" ")).toContain("--metrics-port 9102");
    expect((plan.networkPolicy.spec as Plain).ingress[1].ports).toEqual([
      { protocol: "TCP", port: 9102 },
    ]);
    expect(() => planOnnxService("ranker", { model, metricsPort: 8000 })).toThrow(
      "a port other than the HTTP port (8000): /metrics listens on its own port",
    );
    expect(() => planOnnxService("ranker", { model, grpc: {}, metricsPort: 8001 })).toThrow(
      /metricsPort.*and the gRPC port \(8001\)/,
    );
    expect(() => planOnnxService("ranker", { model, metricsPort: 80 })).toThrow(
      HybridAiConfigError,
    );
  });
});

describe("egress", () => {
  it("admits DNS and 443 outside the link-local range (so not 169.254.169.254), nothing else", () => {
    const plan = planOnnxService("ranker", { model });
    expect((plan.networkPolicy.spec as Plain).policyTypes).toEqual(["Ingress", "Egress"]);
    expect(egressOf(plan)).toEqual([DNS, { to: OUTSIDE, ports: [{ protocol: "TCP", port: 443 }] }]);
  });

  it("admits the port of an https model source and of each endpoint, an in-cluster one by namespace", () => {
    const plan = planOnnxService("ranker", {
      model: {
        uri: "https://models.example.com:9443/ranker",
        mirrors: ["s3://mirror/ranker", "https://models.example.com/ranker"],
      },
      networkPolicy: {
        egress: {
          endpoints: [
            "http://ranker-cloud.serving.svc.cluster.local:8000",
            "http://fallback.example.com:8080/base",
            "https://shadow.example.com",
          ],
        },
      },
    });
    expect(egressOf(plan).slice(2)).toEqual([
      { to: OUTSIDE, ports: [{ protocol: "TCP", port: 9443 }] },
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "serving" } } }],
        ports: [{ protocol: "TCP", port: 8000 }],
      },
      { to: OUTSIDE, ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  it("leaves the cluster's own ranges out of the 443 rule when told", () => {
    const plan = planOnnxService("ranker", {
      model,
      networkPolicy: { egress: { exceptCidrs: ["10.0.0.0/8", "fd12::/48"] } },
    });
    expect(egressOf(plan)[1].to).toEqual([
      { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16", "10.0.0.0/8"] } },
      { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128", "fd12::/48"] } },
    ]);
  });

  it("admits the metadata servers for a GKE Workload Identity, or when asked, and not otherwise", () => {
    const metadata = [
      { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
      {
        to: [{ ipBlock: { cidr: "169.254.169.252/32" } }],
        ports: [{ protocol: "TCP", port: 988 }],
      },
      { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
    ];
    const gke = planOnnxService("ranker", {
      model: { uri: "gs://models/ranker" },
      serviceAccount: { gcpServiceAccount: "reader@p.iam.gserviceaccount.com" },
    });
    expect(egressOf(gke).slice(2)).toEqual(metadata);
    const irsa = planOnnxService("ranker", {
      model,
      serviceAccount: { awsRoleArn: "arn:aws:iam::123456789012:role/reader" },
    });
    expect(egressOf(irsa)).toHaveLength(2);
    const asked = planOnnxService("ranker", {
      model,
      networkPolicy: { egress: { metadataServer: true } },
    });
    expect(egressOf(asked).slice(2)).toEqual(metadata);
    const refused = planOnnxService("ranker", {
      model: { uri: "gs://models/ranker" },
      serviceAccount: { gcpServiceAccount: "reader@p.iam.gserviceaccount.com" },
      networkPolicy: { egress: { metadataServer: false } },
    });
    expect(egressOf(refused)).toHaveLength(2);
  });

  it("leaves egress open with enabled: false", () => {
    const plan = planOnnxService("ranker", {
      model,
      networkPolicy: { egress: { enabled: false } },
    });
    expect((plan.networkPolicy.spec as Plain).policyTypes).toEqual(["Ingress"]);
    expect((plan.networkPolicy.spec as Plain).egress).toBeUndefined();
  });

  it("refuses an endpoint that is not an http(s) URL and a CIDR that is not one, naming the field", () => {
    expect(() =>
      planOnnxService("ranker", {
        model,
        networkPolicy: { egress: { endpoints: ["ftp://x.example.com"] } },
      }),
    ).toThrow(
      /OnnxService.*networkPolicy\.egress\.endpoints\[0\].*an absolute http:\/\/ or https:\/\/ URL/,
    );
    expect(() =>
      planOnnxService("ranker", {
        model,
        networkPolicy: { egress: { exceptCidrs: ["10.0.0.0"] } },
      }),
    ).toThrow(/networkPolicy\.egress\.exceptCidrs\[0\]/);
  });
});

describe("OnnxService under mocks, with endpoints known only at deploy time", async () => {
  const service = new kubernetes.OnnxService("ranker", {
    namespace: "serving",
    model: { uri: pulumi.output("https://models.example.com:9443/ranker") },
    networkPolicy: {
      egress: { endpoints: [pulumi.output("http://cloud.serving.svc.cluster.local:8000")] },
    },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
  });
  await settle();
  const urn = await awaitOutput(service.urn);
  const children = mocks.resources.filter((r: RecordedResource) => r.parent === urn);
  const policy = children.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");

  it("resolves their rules, and every object is schema-valid", () => {
    validateKubernetesObjects(children);
    expect(policy?.inputs.spec.egress.slice(2)).toEqual([
      { to: OUTSIDE, ports: [{ protocol: "TCP", port: 9443 }] },
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "serving" } } }],
        ports: [{ protocol: "TCP", port: 8000 }],
      },
    ]);
  });

  it("scrapes the metrics port, which the monitoring namespace alone may reach", () => {
    const monitor = children.find(
      (r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    );
    expect(monitor?.inputs.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "30s" },
    ]);
    expect(policy?.inputs.spec.ingress[1]).toEqual({
      from: [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
      ],
      ports: [{ protocol: "TCP", port: 8002 }],
    });
  });
});

describe("EdgeFleet", () => {
  const site = { name: "store-1", ring: 0, region: "eu", kubeconfig: "/k/store-1.yaml" };
  const fleet = (cloudFallback?: { url: string }) =>
    edge.planEdgeFleet("ranker", {
      sites: [site],
      model: { uri: "https://models.example.com/ranker", revision: "r1" },
      ...(cloudFallback ? { cloudFallback } : {}),
    });
  const sitePolicy = (plan: ReturnType<typeof fleet>) =>
    plan.rings[0][0].service.networkPolicy.spec as Plain;

  it("deploys each site with model control off, metrics on their own port and egress closed", () => {
    const plan = fleet();
    const args = (plan.rings[0][0].statefulSet.spec as Plain).template.spec.containers[0].args;
    expect(args.join(" ")).toContain("--metrics-port 8002 --model-control-mode none");
    expect(sitePolicy(plan).egress).toEqual([
      DNS,
      { to: OUTSIDE, ports: [{ protocol: "TCP", port: 443 }] },
    ]);
    expect(sitePolicy(plan).ingress[1].ports).toEqual([{ protocol: "TCP", port: 8002 }]);
  });

  it("admits the cloud fallback's port", () => {
    const plan = fleet({ url: "https://ranker.cloud.example.com:8443" });
    expect(sitePolicy(plan).egress.slice(2)).toEqual([
      { to: OUTSIDE, ports: [{ protocol: "TCP", port: 8443 }] },
    ]);
  });
});
