import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as coreV1 from "@pulumi/kubernetes/core/v1";
import * as helmV3 from "@pulumi/kubernetes/helm/v3";
import {
  installMocks,
  KubernetesSchemaError,
  settle,
  validateKubernetesObject,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { beforeEach, describe, expect, it } from "vitest";

const recorder = installMocks();

const labels = { app: "ranker" };

function deployment(name: string, spec: Record<string, unknown>): appsV1.Deployment {
  return new appsV1.Deployment(name, {
    metadata: { name, namespace: "serving" },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "server", image: "ghcr.io/hybridai/serving:1" }] },
      },
      ...spec,
    } as appsV1.DeploymentArgs["spec"],
  });
}

function caught(run: () => unknown): KubernetesSchemaError {
  try {
    run();
  } catch (error) {
    if (error instanceof KubernetesSchemaError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a KubernetesSchemaError, nothing was thrown");
}

describe("validateKubernetesObjects", () => {
  beforeEach(() => recorder.reset());

  it("passes valid objects and reports Helm releases as skipped", async () => {
    deployment("ranker", { replicas: 2 });
    new coreV1.Service("ranker", {
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8000 }] },
    });
    new helmV3.Release("dcgm", { chart: "dcgm-exporter", namespace: "monitoring" });
    await settle();

    const outcomes = validateKubernetesObjects(recorder.resources);
    expect(outcomes).toHaveLength(3);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: "ranker",
          namespace: "serving",
          status: "validated",
        },
        {
          apiVersion: "v1",
          kind: "Service",
          name: "ranker",
          namespace: "default",
          status: "validated",
        },
        {
          apiVersion: "helm.sh/v3",
          kind: "Release",
          name: "dcgm",
          status: "skipped",
          reason: expect.stringMatching(/^Helm release/),
        },
      ]),
    );
  });

  it("fails naming kind, namespace/name and every schema error with its path", async () => {
    deployment("wrong-type", { replicas: "two" });
    new appsV1.Deployment("no-container-name", {
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ image: "x" } as never] } },
      },
    });
    deployment("fine", {});
    await settle();

    const error = caught(() => validateKubernetesObjects(recorder.resources));
    expect([...error.failures].sort((a, b) => a.object.localeCompare(b.object))).toEqual([
      {
        object: "Deployment default/no-container-name",
        errors: ["/spec/template/spec/containers/0 must have required property name"],
      },
      { object: "Deployment serving/wrong-type", errors: ["/spec/replicas must be integer"] },
    ]);
    expect(error.message).toMatch(/^2 Kubernetes object\(s\) failed schema validation/);
  });

  it("validates CRDs from the Prometheus Operator and Gateway API schemas", () => {
    const serviceMonitor = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "ranker" },
      spec: { selector: { matchLabels: labels }, endpoints: [{ port: "metrics" }] },
    };
    expect(validateKubernetesObject(serviceMonitor).status).toBe("validated");
    expect(
      caught(() =>
        validateKubernetesObject({
          ...serviceMonitor,
          spec: { ...serviceMonitor.spec, endpoints: [{ port: 9090 }] },
        }),
      ).failures[0],
    ).toEqual({
      object: "ServiceMonitor default/ranker",
      errors: ["/spec/endpoints/0/port must be string"],
    });

    const route = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "ranker", namespace: "serving" },
      spec: { parentRefs: [{ name: "edge" }] },
    };
    expect(validateKubernetesObject(route).status).toBe("validated");
    expect(
      caught(() => validateKubernetesObject({ ...route, spec: { parentRefs: [{}] } })).message,
    ).toContain("HTTPRoute serving/ranker");
  });

  it("validates Argo Rollouts kinds against the v1.5.0 CRD schemas", () => {
    const rollout = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "ranker", namespace: "serving" },
      spec: {
        selector: { matchLabels: labels },
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "ranker" },
        strategy: { canary: { steps: [{ setWeight: 5 }, { pause: { duration: "5m" } }] } },
      },
    };
    expect(validateKubernetesObject(rollout)).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      name: "ranker",
      namespace: "serving",
      status: "validated",
    });
    expect(
      caught(() =>
        validateKubernetesObject({
          ...rollout,
          spec: { ...rollout.spec, strategy: { canary: { steps: [{ setWeight: "5%" }] } } },
        }),
      ).failures,
    ).toEqual([
      {
        object: "Rollout serving/ranker",
        errors: ["/spec/strategy/canary/steps/0/setWeight must be integer"],
      },
    ]);

    const template = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "ranker", namespace: "serving" },
      spec: {
        metrics: [
          {
            name: "error-rate",
            provider: { prometheus: { address: "http://p:9090", query: "1" } },
          },
        ],
      },
    };
    expect(validateKubernetesObject(template).status).toBe("validated");
    expect(
      caught(() => validateKubernetesObject({ ...template, spec: { metrics: [{ provider: {} }] } }))
        .failures[0].errors,
    ).toEqual(["/spec/metrics/0 must have required property 'name'"]);

    expect(
      validateKubernetesObject({ ...template, kind: "ClusterAnalysisTemplate" }),
    ).toMatchObject({ kind: "ClusterAnalysisTemplate", status: "validated" });
    expect(
      validateKubernetesObject({ ...template, kind: "ClusterAnalysisTemplate" }).namespace,
    ).toBeUndefined();
  });

  it("skips kinds it has no schema for, saying so", () => {
    expect(
      validateKubernetesObject({
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w" },
      }),
    ).toMatchObject({ status: "skipped", reason: "no schema known for example.com/v1 Widget" });
  });
});
