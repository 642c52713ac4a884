import { Release } from "@pulumi/kubernetes/helm/v3";
import { Provider } from "@pulumi/kubernetes/provider";
import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { awaitOutput, installMocks, validateKubernetesObjects } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { childrenOf, one } from "../../helpers/component-records";

const { OnnxService, planOnnxService } = kubernetes;

// The NLB's hostname and the GKE address come from the Service status the cloud fills in.
const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "kubernetes:core/v1:Service" && inputs.spec?.type === "LoadBalancer"
      ? {
          status: {
            loadBalancer: {
              ingress: [
                inputs.spec.loadBalancerClass === "service.k8s.aws/nlb"
                  ? { hostname: "k8s-serving-rankerpu-0123456789.elb.us-west-2.amazonaws.com" }
                  : { ip: "198.51.100.7" },
              ],
            },
          },
        }
      : undefined,
});

const SERVICE = "kubernetes:core/v1:Service";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const AUTH = { secretName: "ranker-token" };

const base = {
  namespace: "serving",
  model: { uri: "s3://models/ranker", mirrors: ["gs://models-gcp/ranker"] },
  image: "registry.example.com/hybridai-serve:1.2.3",
  auth: AUTH,
};

describe("OnnxService exposed through an AWS NLB", async () => {
  mocks.reset();
  const controller = new Release("lb-controller", { chart: "aws-load-balancer-controller" });
  const service = new OnnxService("ranker", {
    ...base,
    provider: new Provider("eks", { kubeconfig: "{}" }),
    exposure: {
      loadBalancer: "aws-nlb",
      sourceRanges: ["203.0.113.0/24"],
      tls: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abc" },
      vpcCidrs: ["10.40.0.0/16"],
      waitFor: [controller],
    },
  });
  const children = await childrenOf(mocks, service);

  it("creates an internet-facing NLB Service with IP targets, TLS at the listener and the allow-list", () => {
    const lb = one(children, SERVICE, "ranker-public");
    expect(lb.inputs.metadata.name).toBe("ranker-public");
    expect(lb.inputs.metadata.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert":
        "arn:aws:acm:us-west-2:123456789012:certificate/abc",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy":
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "traffic-port",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/v2/health/ready",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval": "10",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold": "2",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold": "2",
      "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes":
        "deregistration_delay.timeout_seconds=30",
      "service.beta.kubernetes.io/aws-load-balancer-attributes":
        "load_balancing.cross_zone.enabled=true",
    });
    expect(lb.inputs.spec).toEqual({
      type: "LoadBalancer",
      loadBalancerClass: "service.k8s.aws/nlb",
      loadBalancerSourceRanges: ["203.0.113.0/24"],
      selector: {
        "app.kubernetes.io/name": "hybridai-serve",
        "app.kubernetes.io/instance": "ranker",
        "hybridai.dev/track": "stable",
      },
      ports: [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }],
    });
  });

  it("creates the NLB Service only after the load balancer controller", async () => {
    const lb = one(children, SERVICE, "ranker-public");
    expect(lb.dependencies).toContain(await awaitOutput(controller.urn));
    const clusterIp = one(children, SERVICE, "ranker");
    expect(clusterIp.dependencies).not.toContain(await awaitOutput(controller.urn));
  });

  it("lets the NLB (connecting from the VPC) reach the pods through the NetworkPolicy", () => {
    const ingress = one(children, NETPOL, "ranker").inputs.spec.ingress;
    expect(ingress).toHaveLength(3);
    expect(ingress[2]).toEqual({
      from: [{ ipBlock: { cidr: "10.40.0.0/16" } }],
      ports: [{ protocol: "TCP", port: 8000 }],
    });
  });

  it("requires the bearer token from the Secret and pulls from the mirror after the primary store", () => {
    const pod = one(children, DEPLOYMENT, "ranker").inputs.spec.template.spec;
    const serve = pod.containers[0];
    expect(serve.args.slice(-2)).toEqual(["--auth-token-file", "/etc/hybridai/auth/token"]);
    expect(serve.volumeMounts).toContainEqual({
      name: "auth-token",
      mountPath: "/etc/hybridai/auth",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "auth-token",
      secret: {
        secretName: "ranker-token",
        items: [{ key: "token", path: "token" }],
        defaultMode: 0o440,
      },
    });
    expect(pod.initContainers[0].args).toEqual([
      "pull",
      "--from",
      "s3://models/ranker",
      "--from",
      "gs://models-gcp/ranker",
      "--to",
      "/models/ranker",
    ]);
  });

  it("outputs the NLB's hostname and the HTTPS URL", async () => {
    expect(await awaitOutput(service.publicAddress)).toBe(
      "k8s-serving-rankerpu-0123456789.elb.us-west-2.amazonaws.com",
    );
    expect(await awaitOutput(service.publicUrl)).toBe(
      "https://k8s-serving-rankerpu-0123456789.elb.us-west-2.amazonaws.com",
    );
  });

  it("produces only schema-valid Kubernetes objects", () => {
    const objects = validateKubernetesObjects(children);
    expect(objects.length).toBe(children.length);
    expect(objects.map((o) => o.kind)).toEqual([
      "ServiceAccount",
      "Service",
      "Service",
      "PodDisruptionBudget",
      "NetworkPolicy",
      "Deployment",
      "HorizontalPodAutoscaler",
    ]);
    expect(objects.every((o) => o.status === "validated")).toBe(true);
  });
});

describe("OnnxService exposed through GKE's passthrough load balancer", async () => {
  mocks.reset();
  const service = new OnnxService("ranker", {
    ...base,
    exposure: {
      loadBalancer: "gcp-passthrough",
      sourceRanges: ["198.51.100.0/24", "203.0.113.0/24"],
      allowPlaintext: true,
    },
  });
  const children = await childrenOf(mocks, service);

  it("creates a backend-service-based L4 Service keeping client addresses, limited to the allow-list", () => {
    const lb = one(children, SERVICE, "ranker-public");
    expect(lb.inputs.metadata.annotations).toEqual({ "cloud.google.com/l4-rbs": "enabled" });
    expect(lb.inputs.spec).toMatchObject({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      loadBalancerSourceRanges: ["198.51.100.0/24", "203.0.113.0/24"],
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    });
    expect(lb.inputs.spec.loadBalancerClass).toBeUndefined();
    const ingress = one(children, NETPOL, "ranker").inputs.spec.ingress;
    expect(ingress).toHaveLength(3);
    expect(ingress[2].from).toEqual([
      { ipBlock: { cidr: "198.51.100.0/24" } },
      { ipBlock: { cidr: "203.0.113.0/24" } },
    ]);
  });

  it("outputs the IP and a plain HTTP URL", async () => {
    expect(await awaitOutput(service.publicUrl)).toBe("http://198.51.100.7");
    expect(validateKubernetesObjects(children)).toHaveLength(children.length);
  });
});

describe("OnnxService exposed through a GKE Gateway", async () => {
  mocks.reset();
  const service = new OnnxService("ranker", {
    ...base,
    exposure: {
      loadBalancer: "gcp-gateway",
      tls: { certificateMap: "ranker-map" },
      gcpSecurityPolicy: "inference-allow-list",
      gcpAddressName: "ranker-ip",
    },
  });
  const children = await childrenOf(mocks, service);
  const byKind = (kind: string) => children.filter((r) => r.type.endsWith(`:${kind}`));

  it("creates an HTTPS Gateway with the certificate map, a route to the service, a readiness health check and the Cloud Armor policy", () => {
    const [gateway] = byKind("Gateway");
    expect(byKind("Gateway")).toHaveLength(1);
    expect(gateway.inputs.metadata.annotations).toEqual({
      "networking.gke.io/certmap": "ranker-map",
    });
    expect(gateway.inputs.spec).toEqual({
      gatewayClassName: "gke-l7-global-external-managed",
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: 443,
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
      addresses: [{ type: "NamedAddress", value: "ranker-ip" }],
    });
    expect(byKind("HTTPRoute")[0].inputs.spec).toEqual({
      parentRefs: [{ name: "ranker-public", sectionName: "https" }],
      rules: [{ backendRefs: [{ name: "ranker", port: 8000 }] }],
    });
    expect(byKind("HealthCheckPolicy")[0].inputs.spec.default.config).toEqual({
      type: "HTTP",
      httpHealthCheck: { port: 8000, requestPath: "/v2/health/ready" },
    });
    expect(byKind("GCPBackendPolicy")[0].inputs.spec).toEqual({
      default: { securityPolicy: "inference-allow-list" },
      targetRef: { group: "", kind: "Service", name: "ranker" },
    });
    expect(children.filter((r) => r.type === SERVICE)).toHaveLength(1);
  });

  it("admits Google's front ends to the pods and validates every object, GKE policies included", () => {
    const ingress = one(children, NETPOL, "ranker").inputs.spec.ingress;
    expect(ingress[2].from).toEqual([
      { ipBlock: { cidr: "35.191.0.0/16" } },
      { ipBlock: { cidr: "130.211.0.0/22" } },
    ]);
    const objects = validateKubernetesObjects(children);
    expect(objects).toHaveLength(children.length);
    expect(objects.filter((o) => o.status !== "validated")).toEqual([]);
  });
});

describe("planOnnxService refuses unsafe or impossible exposures", () => {
  const exposed = (exposure: object, extra: object = {}) =>
    planOnnxService("ranker", {
      model: { uri: "s3://models/ranker" },
      auth: AUTH,
      exposure: exposure as never,
      ...extra,
    });
  const refusal = (plan: () => unknown) => {
    try {
      plan();
    } catch (error) {
      expect(error).toBeInstanceOf(HybridAiConfigError);
      return (error as HybridAiConfigError).field;
    }
    throw new Error("accepted");
  };

  it("requires the bearer token whenever the service is exposed", () => {
    expect(
      refusal(() =>
        planOnnxService("ranker", {
          model: { uri: "s3://models/ranker" },
          exposure: { loadBalancer: "gcp-passthrough", allowPlaintext: true },
        }),
      ),
    ).toBe("auth");
  });

  it("refuses plaintext unless asked, TLS on a passthrough balancer and the other cloud's certificate", () => {
    expect(refusal(() => exposed({ loadBalancer: "aws-nlb", vpcCidrs: ["10.0.0.0/16"] }))).toBe(
      "exposure.tls",
    );
    expect(
      refusal(() => exposed({ loadBalancer: "gcp-passthrough", tls: { certificateMap: "m" } })),
    ).toBe("exposure.tls");
    expect(
      refusal(() =>
        exposed({
          loadBalancer: "aws-nlb",
          vpcCidrs: ["10.0.0.0/16"],
          tls: { certificateMap: "m" },
        }),
      ),
    ).toBe("exposure.tls.certificateMap");
    expect(refusal(() => exposed({ loadBalancer: "gcp-gateway", tls: {} }))).toBe(
      "exposure.tls.certificateMap",
    );
  });

  it("refuses a NLB without the VPC CIDR, bad allow-lists, sourceRanges on a Gateway and unknown balancers", () => {
    const tls = { certificateArn: "arn:aws:acm:us-west-2:1:certificate/x" };
    expect(refusal(() => exposed({ loadBalancer: "aws-nlb", tls }))).toBe("exposure.vpcCidrs");
    expect(
      refusal(() =>
        exposed({
          loadBalancer: "aws-nlb",
          tls,
          vpcCidrs: ["10.0.0.0/16"],
          sourceRanges: ["203.0.113.0/33"],
        }),
      ),
    ).toBe("exposure.sourceRanges");
    expect(
      refusal(() =>
        exposed({
          loadBalancer: "gcp-gateway",
          tls: { certificateMap: "m" },
          sourceRanges: ["203.0.113.0/24"],
        }),
      ),
    ).toBe("exposure.sourceRanges");
    expect(refusal(() => exposed({ loadBalancer: "azure-lb", allowPlaintext: true }))).toBe(
      "exposure.loadBalancer",
    );
  });

  it("refuses names too long for the -public objects and malformed Secret names", () => {
    const long = `r${"a".repeat(56)}`;
    expect(() =>
      planOnnxService(long.slice(0, 56), {
        model: { uri: "s3://m/r" },
        auth: AUTH,
        exposure: { loadBalancer: "gcp-passthrough", allowPlaintext: true },
      }),
    ).not.toThrow();
    expect(
      refusal(() =>
        planOnnxService(long, {
          model: { uri: "s3://m/r" },
          auth: AUTH,
          exposure: { loadBalancer: "gcp-passthrough", allowPlaintext: true },
        }),
      ),
    ).toBe("name");
    expect(
      refusal(() =>
        planOnnxService("ranker", { model: { uri: "s3://m/r" }, auth: { secretName: "Bad_Name" } }),
      ),
    ).toBe("auth.secretName");
    expect(
      refusal(() =>
        planOnnxService("ranker", { model: { uri: "s3://m/r", mirrors: ["ftp://mirror/r"] } }),
      ),
    ).toBe("model.mirrors[0]");
  });
});
