import { describe, expect, it } from "vitest";
import {
  kubernetesImagePinned,
  kubernetesImageRegistryAllowed,
  kubernetesPodSecurityRestricted,
  kubernetesResourceRequests,
  parseImage,
} from "../../../policies/compliance/src";
import { notApplicableReasons, violationsOf } from "../harness";

const restrictedContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  runAsUser: 10001,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function deployment(container: object, podSpec: object = {}, namespace = "serving") {
  return {
    type: "kubernetes:apps/v1:Deployment",
    props: {
      metadata: { name: "ranker", namespace },
      spec: {
        selector: { matchLabels: { app: "ranker" } },
        template: {
          metadata: { labels: { app: "ranker" } },
          spec: { containers: [container], ...podSpec },
        },
      },
    },
  };
}

const good = {
  name: "serve",
  image: "ghcr.io/acme/serve:1.4.2",
  securityContext: restrictedContext,
  resources: { requests: { cpu: "1", memory: "2Gi" } },
};

describe("kubernetes-pod-security-restricted", () => {
  it("reports a privileged root container with host networking and a hostPath volume", async () => {
    const bad = deployment(
      {
        name: "agent",
        image: "busybox:1.36",
        securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] } },
      },
      { hostNetwork: true, volumes: [{ name: "root", hostPath: { path: "/" } }] },
    );
    expect(await violationsOf(kubernetesPodSecurityRestricted, bad)).toEqual([
      "Deployment serving/ranker is not restricted: pod: hostNetwork: true; pod: volume root uses hostPath; " +
        "agent: privileged; agent: allowPrivilegeEscalation is not false; agent: runAsNonRoot is not true; " +
        "agent: runAsUser is 0 (root); agent: seccompProfile.type is unset (RuntimeDefault or Localhost); " +
        "agent: capabilities.drop does not include ALL; agent: adds capabilities SYS_ADMIN.",
    ]);
  });

  it("checks init containers and CronJob pods too", async () => {
    const cronJob = {
      type: "kubernetes:batch/v1:CronJob",
      props: {
        metadata: { name: "refresh" },
        spec: {
          schedule: "0 * * * *",
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  containers: [good],
                  initContainers: [{ name: "fetch", image: "curl:8.9" }],
                },
              },
            },
          },
        },
      },
    };
    const [message] = await violationsOf(kubernetesPodSecurityRestricted, cronJob);
    expect(message).toMatch(
      /^CronJob default\/refresh is not restricted: initContainers fetch: allowPrivilegeEscalation is not false/,
    );
    expect(message).not.toContain("serve:");
  });

  it("accepts a restricted pod (pod-level runAsNonRoot and seccomp count) and exempt namespaces", async () => {
    expect(await violationsOf(kubernetesPodSecurityRestricted, deployment(good))).toEqual([]);
    const podLevel = deployment(
      {
        name: "serve",
        image: "x:1",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
      {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        volumes: [{ name: "tmp", emptyDir: {} }],
      },
    );
    expect(await violationsOf(kubernetesPodSecurityRestricted, podLevel)).toEqual([]);
    const system = deployment(
      { name: "cni", image: "cni:1", securityContext: { privileged: true } },
      {},
      "kube-system",
    );
    expect(await violationsOf(kubernetesPodSecurityRestricted, system)).toEqual([]);
    expect(
      await notApplicableReasons(kubernetesPodSecurityRestricted, {
        type: "kubernetes:core/v1:Service",
        props: {},
      }),
    ).toHaveLength(1);
  });
});

/** Every pod-bearing kind, its Pulumi type and a function placing a pod spec where it keeps it. */
const POD_BEARING_KINDS: [string, string, (pod: object) => object][] = [
  ["Pod", "kubernetes:core/v1:Pod", (pod) => pod],
  ["Deployment", "kubernetes:apps/v1:Deployment", (pod) => ({ template: { spec: pod } })],
  [
    "StatefulSet",
    "kubernetes:apps/v1:StatefulSet",
    (pod) => ({ serviceName: "ranker", template: { spec: pod } }),
  ],
  ["DaemonSet", "kubernetes:apps/v1:DaemonSet", (pod) => ({ template: { spec: pod } })],
  ["ReplicaSet", "kubernetes:apps/v1:ReplicaSet", (pod) => ({ template: { spec: pod } })],
  [
    "ReplicationController",
    "kubernetes:core/v1:ReplicationController",
    (pod) => ({ template: { spec: pod } }),
  ],
  ["Job", "kubernetes:batch/v1:Job", (pod) => ({ template: { spec: pod } })],
  [
    "CronJob",
    "kubernetes:batch/v1:CronJob",
    (pod) => ({ schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: pod } } } }),
  ],
];

describe.each(POD_BEARING_KINDS)(
  "kubernetes-pod-security-restricted on a %s",
  (kind, type, place) => {
    const workload = (volumes: object[]) => ({
      type,
      props: {
        metadata: { name: "ranker", namespace: "serving" },
        spec: place({ containers: [good], volumes }),
      },
    });

    it("reports a hostPath volume in its pod spec", async () => {
      const bad = workload([{ name: "cache", hostPath: { path: "/var/lib/cache" } }]);
      expect(await violationsOf(kubernetesPodSecurityRestricted, bad)).toEqual([
        `${kind} serving/ranker is not restricted: pod: volume cache uses hostPath.`,
      ]);
    });

    it("accepts a restricted pod with emptyDir and PersistentVolumeClaim volumes", async () => {
      const restricted = workload([
        { name: "tmp", emptyDir: {} },
        { name: "cache", persistentVolumeClaim: { claimName: "model-cache" } },
      ]);
      expect(await violationsOf(kubernetesPodSecurityRestricted, restricted)).toEqual([]);
    });
  },
);

describe("kubernetes-image-pinned", () => {
  it("reports latest and untagged images", async () => {
    const pod = {
      type: "kubernetes:core/v1:Pod",
      props: {
        metadata: { name: "p" },
        spec: {
          containers: [
            { name: "a", image: "nginx" },
            { name: "b", image: "ghcr.io/acme/x:latest" },
            { name: "c", image: "localhost:5000/x" },
          ],
        },
      },
    };
    expect(await violationsOf(kubernetesImagePinned, pod)).toEqual([
      "Pod default/p runs unpinned image(s): a (nginx: untagged, means latest), b (ghcr.io/acme/x:latest), c (localhost:5000/x: untagged, means latest).",
    ]);
  });

  it("accepts version tags and digests", async () => {
    const pinned = deployment({
      ...good,
      image: "registry.example.com:5000/acme/serve@sha256:0123456789abcdef",
    });
    expect(await violationsOf(kubernetesImagePinned, deployment(good))).toEqual([]);
    expect(await violationsOf(kubernetesImagePinned, pinned)).toEqual([]);
  });

  it("parses references as the runtime does", () => {
    expect(parseImage("nginx:1.27")).toEqual({
      normalized: "docker.io/library/nginx:1.27",
      tag: "1.27",
      digest: false,
    });
    expect(parseImage("localhost:5000/x")).toEqual({
      normalized: "localhost:5000/x",
      digest: false,
    });
    expect(parseImage("bitnami/redis@sha256:ab")).toEqual({
      normalized: "docker.io/bitnami/redis@sha256:ab",
      digest: true,
    });
  });
});

describe("kubernetes-image-registry-allowed", () => {
  const config = {
    allowedRegistries: ["123456789012.dkr.ecr.us-west-2.amazonaws.com", "ghcr.io/acme"],
  };

  it("reports images from other registries, Docker Hub and look-alike prefixes", async () => {
    const pod = deployment(good, {
      initContainers: [
        { name: "hub", image: "busybox:1.36" },
        { name: "evil", image: "ghcr.io/acme-evil/x:1" },
      ],
    });
    expect(await violationsOf(kubernetesImageRegistryAllowed, pod, { config })).toEqual([
      "Deployment serving/ranker pulls busybox:1.36, ghcr.io/acme-evil/x:1 from outside the allowed registries (123456789012.dkr.ecr.us-west-2.amazonaws.com, ghcr.io/acme).",
    ]);
  });

  it("accepts listed registries, and anything when none are configured", async () => {
    const ecr = deployment({
      ...good,
      image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/serve:2",
    });
    expect(
      await violationsOf(kubernetesImageRegistryAllowed, deployment(good), { config }),
    ).toEqual([]);
    expect(await violationsOf(kubernetesImageRegistryAllowed, ecr, { config })).toEqual([]);
    expect(
      await violationsOf(
        kubernetesImageRegistryAllowed,
        deployment({ ...good, image: "busybox:1" }),
      ),
    ).toEqual([]);
  });
});

describe("kubernetes-resource-requests", () => {
  it("reports containers without cpu or memory requests", async () => {
    const bare = deployment({ name: "serve", image: "x:1", resources: { requests: { cpu: 1 } } });
    expect(await violationsOf(kubernetesResourceRequests, bare)).toEqual([
      "Deployment serving/ranker has containers without requests: serve (memory).",
    ]);
  });

  it("accepts requests given as strings or numbers", async () => {
    expect(await violationsOf(kubernetesResourceRequests, deployment(good))).toEqual([]);
    const numeric = deployment({
      name: "serve",
      image: "x:1",
      resources: { requests: { cpu: 0.5, memory: "512Mi" } },
    });
    expect(await violationsOf(kubernetesResourceRequests, numeric)).toEqual([]);
  });
});
