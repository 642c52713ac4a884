import { edge, kubernetes } from "pulumi-hybridai";
import { checkResourcePolicy, type PropertyMap } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { kubernetesPodSecurityRestricted } from "../../../policies/compliance/src";
import { configErrorOf } from "../helpers/config-error";

const { planEdgeFleet } = edge;

/** The parts of a planned pod these tests read (the plan holds plain values here). */
interface PlannedContainer {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PlannedPod {
  nodeSelector: Record<string, string>;
  runtimeClassName?: string;
  initContainers: PlannedContainer[];
  containers: PlannedContainer[];
  volumes: { name: string; hostPath?: { path: string; type: string }; secret?: object }[];
}
interface PlannedDeployment {
  spec: { selector: object; template: { metadata: object; spec: PlannedPod } };
}
interface PlannedStatefulSet {
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: {
    replicas: number;
    serviceName: string;
    podManagementPolicy: string;
    updateStrategy: object;
    persistentVolumeClaimRetentionPolicy: object;
    selector: object;
    template: { metadata: object; spec: PlannedPod };
    volumeClaimTemplates: {
      metadata: { name: string; labels: Record<string, string> };
      spec: object;
    }[];
  };
}

const site = (name: string, ring: number, extra: object = {}) => ({
  name,
  ring,
  region: "eu-central",
  kubeconfig: `/etc/kubeconfigs/${name}.yaml`,
  ...extra,
});

const model = { uri: "https://models.example.com/ranker", revision: "2026-05-01" };

function statefulSetOf(plan: ReturnType<typeof planEdgeFleet>, ring: number, index = 0) {
  return plan.rings[ring][index].statefulSet as unknown as PlannedStatefulSet;
}

describe("planEdgeFleet: rings", () => {
  it("groups sites by ring, canary ring first, keeping their order within a ring", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [site("store-b", 1), site("store-a", 0), site("factory-c", 1)],
    });
    expect(plan.rings.map((ring) => ring.map((s) => s.name))).toEqual([
      ["store-a"],
      ["store-b", "factory-c"],
    ]);
    expect(plan.rings.flat().map((s) => s.ring)).toEqual([0, 1, 1]);
  });

  it("refuses rings with a gap, naming the empty ring", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("ranker", { model, sites: [site("a", 0), site("b", 2)] }),
    );
    expect(error.component).toBe("EdgeFleet");
    expect(error.field).toBe("sites[].ring");
    expect(error.value).toEqual([0, 2]);
    expect(error.message).toContain("no site is in ring 1");
  });

  it("refuses a fleet without a canary ring, and rings that are not whole numbers", () => {
    expect(
      configErrorOf(() => planEdgeFleet("r", { model, sites: [site("a", 1)] })).message,
    ).toContain("no site is in ring 0");
    expect(configErrorOf(() => planEdgeFleet("r", { model, sites: [site("a", 0.5)] })).field).toBe(
      "sites[0].ring",
    );
    expect(configErrorOf(() => planEdgeFleet("r", { model, sites: [site("a", -1)] })).field).toBe(
      "sites[0].ring",
    );
  });

  it("refuses a repeated site name, naming both places", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("r", { model, sites: [site("a", 0), site("b", 0), site("a", 1)] }),
    );
    expect(error.field).toBe("sites[2].name");
    expect(error.allowed).toContain("sites[0]");
  });

  it("refuses no sites, a bad site name, a missing kubeconfig and a bad region", () => {
    expect(configErrorOf(() => planEdgeFleet("r", { model, sites: [] })).field).toBe("sites");
    expect(
      configErrorOf(() => planEdgeFleet("r", { model, sites: [site("Store_A", 0)] })).field,
    ).toBe("sites[0].name");
    expect(
      configErrorOf(() => planEdgeFleet("r", { model, sites: [site("a", 0, { kubeconfig: "" })] }))
        .field,
    ).toBe("sites[0].kubeconfig");
    expect(
      configErrorOf(() =>
        planEdgeFleet("r", { model, sites: [site("a", 0, { region: "eu central" })] }),
      ).field,
    ).toBe("sites[0].region");
  });
});

describe("planEdgeFleet: architectures and accelerators", () => {
  it("refuses an NVIDIA accelerator on arm64: onnxruntime-node's CUDA builds are x86-64 only", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("r", {
        model,
        sites: [
          site("a", 0),
          site("jetson", 0, { arch: "arm64", accelerator: { type: "nvidia-t4" } }),
        ],
      }),
    );
    expect(error.field).toBe("sites[1].accelerator");
    expect(error.value).toEqual({ type: "nvidia-t4" });
    expect(error.allowed).toContain("x86-64 only");
    expect(error.allowed).toContain("serve on CPU");
  });

  it("refuses an unknown architecture", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("r", { model, sites: [site("a", 0, { arch: "armhf" })] }),
    );
    expect(error.field).toBe("sites[0].arch");
    expect(error.allowed).toBe("amd64, arm64");
  });

  it("pins pods to the site's architecture and runs the CPU image there", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      image: "registry.example.com/hybridai-serve:1.0.0",
      sites: [site("pi", 0, { arch: "arm64" })],
    });
    const pod = statefulSetOf(plan, 0).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/arch": "arm64" });
    expect(pod.runtimeClassName).toBeUndefined();
    expect(pod.containers[0].image).toBe("registry.example.com/hybridai-serve:1.0.0");
    expect(plan.rings[0][0].image).toBe("registry.example.com/hybridai-serve:1.0.0");
    expect(plan.rings[0][0].devicePlugin).toBeUndefined();
    expect(plan.rings[0][0].runtimeClass).toBeUndefined();
  });

  it("gives a GPU site the CUDA image, k3s' nvidia RuntimeClass (without creating it), the device plugin and the GPU limit", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [site("clinic", 0, { accelerator: { type: "nvidia-l4", count: 1 } })],
    });
    const planned = plan.rings[0][0];
    const pod = statefulSetOf(plan, 0).spec.template.spec;
    expect(pod.runtimeClassName).toBe("nvidia");
    // k3s installs RuntimeClass nvidia itself: creating it again fails with AlreadyExists.
    expect(planned.runtimeClass).toBeUndefined();
    expect(planned.devicePlugin).toEqual({ accelerators: ["nvidia-l4"] });
    expect(pod.containers[0].image).toBe("ghcr.io/hybridai/hybridai-serving-runtime:0.1.0-cuda");
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(pod.nodeSelector).toEqual({
      "hybridai.dev/accelerator": "nvidia-l4",
      "kubernetes.io/arch": "amd64",
    });
  });
});

describe("planEdgeFleet: the nvidia RuntimeClass on distributions without it", () => {
  it("creates it on a GPU site that asks (k0s, MicroK8s without its GPU add-on)", () => {
    const plan = planEdgeFleet("ranker", {
      model,
      sites: [
        site("lab", 0, { accelerator: { type: "nvidia-l4", count: 1 }, createRuntimeClass: true }),
      ],
    });
    expect(plan.rings[0][0].runtimeClass).toEqual({
      metadata: { name: "nvidia", labels: { "app.kubernetes.io/managed-by": "pulumi" } },
      handler: "nvidia",
    });
  });

  it("refuses createRuntimeClass on a CPU site or as a non-boolean, naming the site", () => {
    expect(() =>
      planEdgeFleet("ranker", { model, sites: [site("shop", 0, { createRuntimeClass: true })] }),
    ).toThrow(
      /EdgeFleet: sites\[0\]\.createRuntimeClass = true.*only on a site with an accelerator/s,
    );
    expect(() =>
      planEdgeFleet("ranker", {
        model,
        sites: [
          site("lab", 0, {
            accelerator: { type: "nvidia-l4", count: 1 },
            createRuntimeClass: "yes" as never,
          }),
        ],
      }),
    ).toThrow(/sites\[0\]\.createRuntimeClass/);
  });
});

describe("planEdgeFleet: small devices and the model cache", () => {
  const plan = planEdgeFleet("ranker", {
    model: { ...model, mirrors: ["https://models.store-a.lan/ranker"] },
    sites: [site("store-a", 0, { devices: 3 })],
  });
  const statefulSet = statefulSetOf(plan, 0);
  const pod = statefulSet.spec.template.spec;
  const [pull] = pod.initContainers;
  const [serve] = pod.containers;

  it("runs one replica per device, with a small request and an explicit thread count", () => {
    expect(statefulSet.spec.replicas).toBe(3);
    expect(serve.resources.requests).toEqual({ cpu: "500m", memory: "1Gi" });
    expect(serve.resources.limits).toEqual({ memory: "1Gi" });
    const threads = serve.args.indexOf("--intra-op-threads");
    expect(serve.args[threads + 1]).toBe("2");
  });

  it("runs the replicas as a StatefulSet governed by the site's Service, devices independent, every replica rolled", () => {
    expect(statefulSet.metadata).toMatchObject({ name: "ranker", namespace: "hybridai" });
    expect(statefulSet.spec.serviceName).toBe(plan.rings[0][0].service.serviceName);
    expect(statefulSet.spec.serviceName).toBe("ranker");
    expect(statefulSet.spec.podManagementPolicy).toBe("Parallel");
    // Only StatefulSet fields: the schema check lets unknown ones (a Deployment's `strategy`) by.
    expect(Object.keys(statefulSet.spec).sort()).toEqual([
      "persistentVolumeClaimRetentionPolicy",
      "podManagementPolicy",
      "replicas",
      "revisionHistoryLimit",
      "selector",
      "serviceName",
      "template",
      "updateStrategy",
      "volumeClaimTemplates",
    ]);
    // The provider awaits currentRevision == updateRevision: only partition 0 gets there.
    expect(statefulSet.spec.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { partition: 0 },
    });
  });

  it("gives each replica its own model-cache claim on k3s' local-path, kept on delete and scale-down", () => {
    expect(statefulSet.spec.volumeClaimTemplates).toHaveLength(1);
    const [claim] = statefulSet.spec.volumeClaimTemplates;
    expect(claim.metadata.name).toBe("model-cache");
    expect(claim.metadata.labels).toMatchObject({
      "app.kubernetes.io/instance": "ranker",
      "hybridai.dev/site": "store-a",
    });
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "local-path",
      volumeMode: "Filesystem",
      resources: { requests: { storage: "6Gi" } },
    });
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  });

  it("pulls through the replica's cache volume, after the model URI and its mirrors, with no hostPath in the pod", () => {
    expect(pull.name).toBe("pull-model");
    expect(pull.args).toEqual([
      "pull",
      "--from",
      "https://models.example.com/ranker",
      "--from",
      "https://models.store-a.lan/ranker",
      "--to",
      "/models/ranker",
      "--cache-dir",
      "/var/cache/hybridai",
      "--cache-keep",
      "2",
    ]);
    expect(pull.volumeMounts).toContainEqual({
      name: "model-cache",
      mountPath: "/var/cache/hybridai",
    });
    // The claim template provides the volume: the pod spec declares none of that name.
    expect(pod.volumes.map((v) => v.name)).toEqual(["models", "tmp"]);
    expect(pod.volumes.filter((v) => "hostPath" in v)).toEqual([]);
    expect(serve.volumeMounts.map((m) => m.name)).toEqual(["models", "tmp"]);
  });

  it("enforces the restricted Pod Security Standard on the namespace it creates", () => {
    expect(plan.rings[0][0].namespace?.metadata).toEqual({
      name: "hybridai",
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "app.kubernetes.io/managed-by": "pulumi",
      },
    });
  });

  it("keeps what the cloud planner decides: selector, probes, security contexts, shutdown and volumes", () => {
    const cloud = kubernetes.planOnnxService("ranker", {
      namespace: "hybridai",
      model: { uri: model.uri, revision: model.revision },
      spot: false,
      resources: { cpu: "500m", memory: "1Gi", modelVolume: "2Gi" },
      runtimeArgs: ["--intra-op-threads", "2"],
    }).deployment as unknown as PlannedDeployment;
    expect(statefulSet.spec.selector).toEqual(cloud.spec.selector);
    const cloudPod = cloud.spec.template.spec as unknown as Record<string, unknown>;
    const edgePod = pod as unknown as Record<string, unknown>;
    for (const key of [
      "securityContext",
      "tolerations",
      "affinity",
      "terminationGracePeriodSeconds",
      "serviceAccountName",
      "automountServiceAccountToken",
    ]) {
      expect(edgePod[key], key).toEqual(cloudPod[key]);
    }
    const cloudServe = (cloudPod.containers as Record<string, unknown>[])[0];
    for (const key of [
      "args",
      "securityContext",
      "startupProbe",
      "livenessProbe",
      "readinessProbe",
      "lifecycle",
    ]) {
      expect((serve as unknown as Record<string, unknown>)[key], key).toEqual(cloudServe[key]);
    }
    expect(pod.volumes).toEqual(cloudPod.volumes);
  });

  it("reports the model revision on the StatefulSet and its pods", () => {
    expect(statefulSet.metadata.annotations["hybridai.dev/model-revision"]).toBe("2026-05-01");
    expect(statefulSet.spec.template.metadata).toMatchObject({
      annotations: { "hybridai.dev/model-revision": "2026-05-01" },
    });
    expect(plan.rings[0][0].modelRevision).toBe("2026-05-01");
  });

  it("takes another storage class, size and retention, and refuses bad ones", () => {
    const custom = planEdgeFleet("ranker", {
      model,
      cache: { storageClass: "openebs-hostpath", size: "20Gi", keep: 5 },
      sites: [site("a", 0)],
    });
    const customSet = statefulSetOf(custom, 0);
    expect(customSet.spec.template.spec.initContainers[0].args.slice(-2)).toEqual([
      "--cache-keep",
      "5",
    ]);
    expect(customSet.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: "openebs-hostpath",
      resources: { requests: { storage: "20Gi" } },
    });
    for (const storageClass of ["", "Local_Path", "-local"]) {
      expect(
        configErrorOf(() =>
          planEdgeFleet("r", { model, cache: { storageClass }, sites: [site("a", 0)] }),
        ).field,
      ).toBe("cache.storageClass");
    }
    expect(
      configErrorOf(() =>
        planEdgeFleet("r", { model, cache: { size: "lots" }, sites: [site("a", 0)] }),
      ).field,
    ).toBe("cache.size");
    expect(
      configErrorOf(() => planEdgeFleet("r", { model, cache: { keep: 0 }, sites: [site("a", 0)] }))
        .field,
    ).toBe("cache.keep");
  });

  it("refuses a name a StatefulSet's revision label cannot hold (over 52 characters)", () => {
    const longest = `r${"a".repeat(51)}`;
    expect(
      statefulSetOf(planEdgeFleet(longest, { model, sites: [site("a", 0)] }), 0),
    ).toBeDefined();
    const error = configErrorOf(() =>
      planEdgeFleet(`${longest}a`, { model, sites: [site("a", 0)] }),
    );
    expect(error.field).toBe("name");
    expect(error.allowed).toContain("at most 52 characters");
  });

  it("requires a model revision: it is what rolls out ring by ring", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("r", {
        model: { uri: "https://m.example.com/r" } as typeof model,
        sites: [site("a", 0)],
      }),
    );
    expect(error.field).toBe("model.revision");
  });

  it("names the site when the serving planner refuses a value", () => {
    const error = configErrorOf(() =>
      planEdgeFleet("r", {
        model,
        sites: [site("a", 0), site("b", 1, { resources: { memory: "lots" } })],
      }),
    );
    expect(error.field).toBe("sites[1] (b): resources.memory");
    expect(error.value).toBe("lots");
  });
});

describe("planEdgeFleet: file:/// sources (hostPath, opt-in)", () => {
  it("refuses a file:/// model or mirror unless hostPathSources admits it, naming the field", () => {
    const mirror = configErrorOf(() =>
      planEdgeFleet("r", {
        model: { ...model, mirrors: ["https://m.lan/r", "file:///srv/models/ranker"] },
        sites: [site("a", 0)],
      }),
    );
    expect(mirror.field).toBe("model.mirrors[1]");
    expect(mirror.value).toBe("file:///srv/models/ranker");
    expect(mirror.allowed).toContain("set hostPathSources: true");
    expect(
      configErrorOf(() =>
        planEdgeFleet("r", {
          model: { ...model, uri: "file:///srv/models/ranker" },
          sites: [site("a", 0)],
        }),
      ).field,
    ).toBe("model.uri");
  });

  it("with hostPathSources, reads them through read-only hostPaths of the init container, and only warns and audits restricted", async () => {
    const plan = planEdgeFleet("ranker", {
      model: { ...model, mirrors: ["file:///srv/models/ranker"] },
      hostPathSources: true,
      sites: [site("store-a", 0)],
    });
    const pod = statefulSetOf(plan, 0).spec.template.spec;
    const [pull] = pod.initContainers;
    expect(pod.volumes.filter((v) => "hostPath" in v)).toEqual([
      { name: "model-source", hostPath: { path: "/srv/models/ranker", type: "Directory" } },
    ]);
    expect(pull.volumeMounts).toContainEqual({
      name: "model-source",
      mountPath: "/srv/models/ranker",
      readOnly: true,
    });
    expect(pod.containers[0].volumeMounts.map((m) => m.name)).toEqual(["models", "tmp"]);
    // The compliance pack flags it, as a cluster enforcing restricted would refuse the pods.
    const report = await checkResourcePolicy(kubernetesPodSecurityRestricted, {
      type: "kubernetes:apps/v1:StatefulSet",
      name: "ranker-store-a",
      props: plan.rings[0][0].statefulSet as unknown as PropertyMap,
    });
    expect(report.violations.map((v) => v.message)).toEqual([
      "StatefulSet hybridai/ranker is not restricted: pod: volume model-source uses hostPath.",
    ]);
    expect(plan.rings[0][0].namespace?.metadata).toEqual({
      name: "hybridai",
      labels: {
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "app.kubernetes.io/managed-by": "pulumi",
      },
    });
  });
});
