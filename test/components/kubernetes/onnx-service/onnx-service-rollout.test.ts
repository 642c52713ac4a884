import { Provider } from "@pulumi/kubernetes/provider";
import { kubernetes } from "pulumi-hybridai";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { one } from "../../helpers/component-records";

const mocks = installMocks();

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

describe("OnnxService with a rollout, on a cluster with ArgoRollouts", async () => {
  const provider = new Provider("cluster", { kubeconfig: "{}" });
  const argo = new kubernetes.ArgoRollouts("argo-rollouts", { provider });
  const service = new kubernetes.OnnxService("ranker", {
    provider,
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker" },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    rollout: {
      gateway: { name: "inference", namespace: "gateways" },
      maxErrorRate: 0.02,
      maxMeanLatencyMs: 50,
      maxShadowDisagreement: 0.05,
      waitFor: [argo],
    },
  });
  await settle();
  const serviceUrn = await awaitOutput(service.urn);
  const argoUrn = await awaitOutput(argo.urn);
  const children = mocks.resources.filter((r) => r.parent === serviceUrn);
  const argoChildren = mocks.resources.filter((r) => r.parent === argoUrn);
  const release = one(argoChildren, RELEASE);

  it("validates every object, custom resources included, against its schema", () => {
    const validated = validateKubernetesObjects([...children, ...argoChildren]);
    expect(
      validated
        .filter((v) => v.status === "validated")
        .map((v) => `${v.kind} ${v.name}`)
        .sort(),
    ).toEqual([
      "AnalysisTemplate ranker",
      "ClusterRole argo-rollouts-gateway-api-plugin",
      "ClusterRoleBinding argo-rollouts-gateway-api-plugin",
      "ConfigMap ranker-dashboard",
      "Deployment ranker",
      "HTTPRoute ranker",
      "HorizontalPodAutoscaler ranker",
      "NetworkPolicy ranker",
      "PodDisruptionBudget ranker",
      "PrometheusRule ranker",
      "Rollout ranker",
      "Service ranker",
      "Service ranker-canary",
      "Service ranker-metrics",
      "ServiceAccount ranker",
      "ServiceMonitor ranker",
    ]);
    expect(validated.filter((v) => v.status === "skipped").map((v) => v.kind)).toEqual(["Release"]);
  });

  it("creates the Rollout and its template only after the controller and its CRDs", () => {
    const rollout = one(children, ROLLOUT);
    const template = one(children, TEMPLATE);
    expect(rollout.dependencies).toContain(release.urn);
    expect(template.dependencies).toContain(release.urn);
    for (const needed of [
      one(children, DEPLOYMENT).urn,
      one(children, ROUTE).urn,
      template.urn,
      one(children, SERVICE, "ranker").urn,
      one(children, SERVICE, "ranker-canary").urn,
    ]) {
      expect(rollout.dependencies).toContain(needed);
    }
    expect(rollout.provider).toMatch(/::cluster::/);
  });

  it("scales the Rollout, not the Deployment, which stays at 0 replicas", () => {
    const hpa = one(children, HPA);
    expect(hpa.inputs.spec.scaleTargetRef).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      name: "ranker",
    });
    expect(hpa.dependencies).toContain(one(children, ROLLOUT).urn);
    expect(one(children, DEPLOYMENT).inputs.spec.replicas).toBe(0);
  });

  it("judges each step on error rate, mean latency and shadow disagreement", () => {
    const metrics = one(children, TEMPLATE).inputs.spec.metrics;
    expect(metrics).toHaveLength(3);
    expect(metrics.map((m: { successCondition: string }) => m.successCondition)).toEqual([
      "result[0] <= 0.02",
      "result[0] <= 50",
      "result[0] <= 0.05",
    ]);
  });
});

describe("ArgoRollouts", () => {
  it("installs the pinned chart with the Gateway API plugin copied in and registered", async () => {
    const argo = new kubernetes.ArgoRollouts("rollouts", { namespace: "progressive" });
    await settle();
    const release = mocks.one(RELEASE, "rollouts");
    expect(release.parent).toBe(await awaitOutput(argo.urn));
    expect(release.inputs).toMatchObject({
      name: "rollouts",
      namespace: "progressive",
      createNamespace: true,
      chart: "argo-rollouts",
      version: "2.31.1",
      repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
    });
    const values = release.inputs.values;
    expect(values.installCRDs).toBe(true);
    expect(values.keepCRDs).toBe(true);
    expect(values.serviceAccount).toEqual({ create: true, name: "rollouts" });
    const controller = values.controller;
    expect(parse(controller.trafficRouterPlugins.trafficRouterPlugins)).toEqual([
      {
        name: "argoproj-labs/gatewayAPI",
        location: "file:///plugins/rollouts-plugin-trafficrouter-gatewayapi",
      },
    ]);
    expect(controller.initContainers).toHaveLength(1);
    const [copy] = controller.initContainers;
    expect(copy.image).toBe(
      "ghcr.io/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi:v0.5.0",
    );
    expect(copy.args).toEqual(["cp /bin/rollouts-plugin-trafficrouter-gatewayapi /plugins/"]);
    expect(copy.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(copy.volumeMounts).toEqual([{ name: "gatewayapi-plugin", mountPath: "/plugins" }]);
    expect(controller.volumeMounts).toEqual([
      { name: "gatewayapi-plugin", mountPath: "/plugins", readOnly: true },
    ]);
    expect(controller.volumes).toEqual([
      { name: "gatewayapi-plugin", emptyDir: { sizeLimit: "200Mi" } },
    ]);
    expect(await awaitOutput(argo.namespace)).toBe("progressive");
  });

  it("lets the plugin's service account rewrite HTTPRoutes and create and update its route state ConfigMap, nothing more", async () => {
    new kubernetes.ArgoRollouts("rbac-check", { namespace: "argo" });
    await settle();
    const role = mocks.one(ROLE, "rbac-check-gateway-api-plugin");
    const binding = mocks.one(BINDING, "rbac-check-gateway-api-plugin");
    expect(role.inputs.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      {
        apiGroups: [""],
        resources: ["configmaps"],
        resourceNames: ["argo-gatewayapi-configmap"],
        verbs: ["update"],
      },
      {
        apiGroups: ["gateway.networking.k8s.io"],
        resources: ["httproutes"],
        verbs: ["get", "update"],
      },
    ]);
    expect(binding.inputs.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: role.inputs.metadata.name,
    });
    const release = mocks.one(RELEASE, "rbac-check");
    expect(binding.inputs.subjects).toEqual([
      {
        kind: "ServiceAccount",
        name: release.inputs.values.serviceAccount.name,
        namespace: release.inputs.namespace,
      },
    ]);
    expect(binding.dependencies).toContain(release.urn);
  });

  it("refuses bad arguments before registering anything", () => {
    const before = mocks.resources.length;
    expect(() => new kubernetes.ArgoRollouts("Bad_Name")).toThrow(/ArgoRollouts.*name/s);
    expect(() => new kubernetes.ArgoRollouts("ok", { replicas: 0 })).toThrow(/replicas/);
    expect(() => new kubernetes.ArgoRollouts("ok", { pluginVersion: "latest" })).toThrow(
      /pluginVersion.*v0\.5\.0/s,
    );
    expect(() => new kubernetes.ArgoRollouts("ok", { namespace: "Argo" })).toThrow(/namespace/);
    expect(mocks.resources.length).toBe(before);
  });
});
