import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { edge } from "pulumi-hybridai";
import {
  awaitOutput,
  checkResourcePolicy,
  installMocks,
  type RecordedResource,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { kubernetesPodSecurityRestricted } from "../../../policies/compliance/src";
import { revealedRecords, SECRET_MARK, SECRET_SIG } from "./secret-envelope";

const mocks = installMocks();

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
/** Every Kubernetes type that carries a pod spec. */
const POD_BEARING = [
  "kubernetes:core/v1:Pod",
  "kubernetes:apps/v1:Deployment",
  STATEFUL_SET,
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
];
const PROVIDER = "pulumi:providers:kubernetes";

const fleet = new edge.EdgeFleet("ranker", {
  model: { uri: "https://models.example.com/ranker", revision: "v7" },
  image: "registry.example.com/hybridai-serve:1.2.0",
  cloudFallback: {
    url: "https://ranker.cloud.example.com",
    tokenSecret: pulumi.secret("cloud-token"),
    timeoutMs: 1500,
  },
  sites: [
    {
      name: "store-b",
      ring: 1,
      region: "eu-west",
      kubeconfig: "kubeconfig-b",
      arch: "arm64",
      devices: 2,
    },
    { name: "store-a", ring: 0, region: "eu-central", kubeconfig: "kubeconfig-a" },
    {
      name: "clinic-c",
      ring: 1,
      region: "us-east",
      kubeconfig: "kubeconfig-c",
      accelerator: { type: "nvidia-t4" },
    },
  ],
});

/** Every resource a site created: the ones registered with its provider (and its device plugin release). */
function siteResources(site: string): RecordedResource[] {
  const provider = mocks.one(PROVIDER, `ranker-${site}`);
  return mocks.resources.filter((r) => r.provider?.startsWith(`${provider.urn}::`));
}

function statefulSetOf(site: string): RecordedResource {
  return mocks.one(STATEFUL_SET, `ranker-${site}`);
}

describe("EdgeFleet under mocks", async () => {
  await settle();
  const sites = await awaitOutput(fleet.sites);

  it("registers one Kubernetes provider per site, from its kubeconfig, as a secret", () => {
    const providers = mocks.ofType(PROVIDER);
    expect(providers.map((p) => p.name).sort()).toEqual([
      "ranker-clinic-c",
      "ranker-store-a",
      "ranker-store-b",
    ]);
    // A secret input reaches the engine wrapped in Pulumi's secret envelope.
    expect(mocks.one(PROVIDER, "ranker-store-b").inputs.kubeconfig).toEqual({
      [SECRET_SIG]: SECRET_MARK,
      value: "kubeconfig-b",
    });
    const fleetUrn = mocks.one("hybridai:index:EdgeFleet").urn;
    for (const provider of providers) expect(provider.parent).toBe(fleetUrn);
  });

  it("validates every Kubernetes object of every site against the upstream schema", () => {
    const validated = validateKubernetesObjects(revealedRecords(mocks.resources));
    const kinds = validated.filter((v) => v.status === "validated").map((v) => v.kind);
    expect(kinds.filter((k) => k === "StatefulSet")).toHaveLength(3);
    expect(kinds.filter((k) => k === "Deployment")).toHaveLength(0);
    expect(kinds.filter((k) => k === "Namespace")).toHaveLength(3);
    expect(kinds.filter((k) => k === "Secret")).toHaveLength(3);
    // k3s ships the nvidia RuntimeClass itself: the fleet creates none unless a site asks.
    expect(kinds.filter((k) => k === "RuntimeClass")).toHaveLength(0);
    expect(kinds.filter((k) => k === "HorizontalPodAutoscaler")).toHaveLength(0);
    expect(validated.filter((v) => v.status === "skipped").map((v) => v.kind)).toEqual(["Release"]);
  });

  it("puts every site object on its own site's cluster, labelled with site, region and ring", () => {
    for (const [site, region, ring] of [
      ["store-a", "eu-central", "0"],
      ["store-b", "eu-west", "1"],
      ["clinic-c", "us-east", "1"],
    ]) {
      const objects = siteResources(site).filter((r) =>
        ["StatefulSet", "Service", "Secret", "ServiceAccount"].some((k) =>
          r.type.endsWith(`:${k}`),
        ),
      );
      expect(objects, site).toHaveLength(4);
      for (const object of objects) {
        expect(object.inputs.metadata.labels).toMatchObject({
          "hybridai.dev/site": site,
          "hybridai.dev/region": region,
          "hybridai.dev/ring": ring,
        });
      }
    }
  });

  it("makes every serving object of ring 1 wait for the StatefulSets of ring 0, and ring 0 wait for nothing", () => {
    const canary = statefulSetOf("store-a");
    const ring0 = siteResources("store-a");
    expect(ring0.length).toBeGreaterThan(4);
    for (const record of ring0) {
      expect(
        record.dependencies.filter((urn) => urn.includes(STATEFUL_SET)),
        record.name,
      ).toEqual([]);
    }
    const ring1 = [...siteResources("store-b"), ...siteResources("clinic-c")].filter(
      (r) => !r.type.startsWith("kubernetes:helm.sh/"),
    );
    expect(ring1.length).toBeGreaterThan(10);
    for (const record of ring1) {
      expect(record.dependencies, `${record.type} ${record.name}`).toContain(canary.urn);
      expect(record.dependencies).not.toContain(statefulSetOf("store-b").urn);
    }
    // The device plugin is site infrastructure: it installs without waiting for the canary.
    const plugin = mocks.one("kubernetes:helm.sh/v3:Release");
    expect(plugin.dependencies).not.toContain(canary.urn);
  });

  it("starts a site's StatefulSet after its namespace, account, token secret and device plugin, not after its Service", () => {
    const clinic = statefulSetOf("clinic-c");
    const needed = [
      mocks.one("kubernetes:core/v1:Namespace", "ranker-clinic-c"),
      mocks.one("kubernetes:core/v1:ServiceAccount", "ranker-clinic-c"),
      mocks.one("kubernetes:core/v1:Secret", "ranker-clinic-c-cloud-fallback"),
      // dependsOn on a component waits for its children: the device plugin's Helm release.
      mocks.one("kubernetes:helm.sh/v3:Release", "ranker-clinic-c-nvidia"),
    ];
    for (const resource of needed) expect(clinic.dependencies).toContain(resource.urn);
    // The provider awaits a Service until its pods are ready: waiting for it would deadlock.
    const service = mocks.one("kubernetes:core/v1:Service", "ranker-clinic-c");
    expect(clinic.dependencies).not.toContain(service.urn);
    expect(clinic.inputs.spec.serviceName).toBe(service.inputs.metadata.name);
  });

  it("lets the provider await every StatefulSet's rollout: rolling updates of every replica, no skipAwait, a deadline", () => {
    const statefulSets = mocks.ofType(STATEFUL_SET);
    expect(statefulSets).toHaveLength(3);
    for (const statefulSet of statefulSets) {
      const annotations = {
        ...statefulSet.inputs.metadata.annotations,
        ...statefulSet.inputs.spec.template.metadata.annotations,
      };
      expect(Object.keys(annotations)).not.toContain("pulumi.com/skipAwait");
      // The provider's success condition (all replicas ready, currentRevision == updateRevision)
      // is met only by RollingUpdate over every replica (partition 0).
      expect(statefulSet.inputs.spec.updateStrategy).toEqual({
        type: "RollingUpdate",
        rollingUpdate: { partition: 0 },
      });
      expect(statefulSet.options.customTimeouts).toEqual({
        create: "15m",
        update: "15m",
        delete: "",
      });
    }
  });

  it("gives each site's Service its StatefulSet's budget: the provider awaits it until the same pods are ready", () => {
    const services = mocks.ofType("kubernetes:core/v1:Service");
    expect(services).toHaveLength(3);
    for (const service of services) {
      expect(service.options.customTimeouts, service.name).toEqual(
        mocks.one(STATEFUL_SET, service.name).options.customTimeouts,
      );
    }
  });

  it("gives no pod a hostPath, and each replica its own model-cache claim on its device", () => {
    const workloads = mocks.resources.filter((r) => POD_BEARING.includes(r.type));
    expect(workloads.map((w) => w.type)).toEqual([STATEFUL_SET, STATEFUL_SET, STATEFUL_SET]);
    for (const workload of workloads) {
      const volumes: object[] = workload.inputs.spec.template.spec.volumes;
      expect(volumes.length, workload.name).toBeGreaterThan(0);
      expect(volumes.filter((v) => "hostPath" in v)).toEqual([]);
      expect(workload.inputs.spec.volumeClaimTemplates).toEqual([
        {
          metadata: { name: "model-cache", labels: workload.inputs.metadata.labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "local-path",
            volumeMode: "Filesystem",
            resources: { requests: { storage: "6Gi" } },
          },
        },
      ]);
    }
    // One replica per device: store-b has two devices, so two replicas, two claims.
    expect(statefulSetOf("store-b").inputs.spec.replicas).toBe(2);
    expect(statefulSetOf("store-a").inputs.spec.replicas).toBe(1);
  });

  it("passes the compliance pack's restricted Pod Security rule, in namespaces that enforce it", async () => {
    const workloads = revealedRecords(mocks.ofType(STATEFUL_SET));
    expect(workloads).toHaveLength(3);
    for (const workload of workloads) {
      const report = await checkResourcePolicy(kubernetesPodSecurityRestricted, workload);
      expect(report.notApplicable, workload.name).toEqual([]);
      expect(report.violations, workload.name).toEqual([]);
    }
    const namespaces = mocks.ofType("kubernetes:core/v1:Namespace");
    expect(namespaces).toHaveLength(3);
    for (const namespace of namespaces) {
      expect(namespace.inputs.metadata.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
      });
    }
  });

  it("reports, per site, the model revision and the image it runs", () => {
    expect(sites).toEqual({
      "store-a": {
        ring: 0,
        region: "eu-central",
        arch: "amd64",
        modelRevision: "v7",
        image: "registry.example.com/hybridai-serve:1.2.0",
        url: "http://ranker.hybridai.svc.cluster.local:8000",
      },
      "store-b": {
        ring: 1,
        region: "eu-west",
        arch: "arm64",
        modelRevision: "v7",
        image: "registry.example.com/hybridai-serve:1.2.0",
        url: "http://ranker.hybridai.svc.cluster.local:8000",
      },
      "clinic-c": {
        ring: 1,
        region: "us-east",
        arch: "amd64",
        modelRevision: "v7",
        image: "ghcr.io/hybridai/hybridai-serving-runtime:0.1.0-cuda",
        url: "http://ranker.hybridai.svc.cluster.local:8000",
      },
    });
  });

  it("mounts the cloud token from the site's Secret and points the runtime's config at it", () => {
    const secret = mocks.one("kubernetes:core/v1:Secret", "ranker-store-b-cloud-fallback");
    expect(secret.inputs.stringData).toEqual({
      [SECRET_SIG]: SECRET_MARK,
      value: { token: "cloud-token" },
    });
    expect(secret.inputs.metadata).toMatchObject({
      name: "ranker-cloud-fallback",
      namespace: "hybridai",
    });
    const pod = statefulSetOf("store-b").inputs.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "cloud-fallback-token",
      secret: {
        secretName: "ranker-cloud-fallback",
        defaultMode: 0o440,
        items: [{ key: "token", path: "token" }],
      },
    });
    const serve = pod.containers.find((c: { name: string }) => c.name === "serve");
    expect(serve.volumeMounts).toContainEqual({
      name: "cloud-fallback-token",
      mountPath: "/var/run/hybridai/fallback",
      readOnly: true,
    });
  });

  it("runs the model-config init container's exact command to write the fallback into config.json", () => {
    const pod = statefulSetOf("store-a").inputs.spec.template.spec;
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual([
      "pull-model",
      "model-config",
    ]);
    const [, configure] = pod.initContainers;
    expect(configure.command[0]).toBe("node");
    expect(configure.args[1]).toBe("/models/ranker/config.json");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "edge-fleet-")), "config.json");
    execFileSync(process.execPath, [...configure.command.slice(1), configure.args[0], file]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      fallback: {
        url: "https://ranker.cloud.example.com",
        token_file: "/var/run/hybridai/fallback/token",
        timeout_ms: 1500,
        on: ["timeout", "error", "overload"],
      },
    });
  });
});
