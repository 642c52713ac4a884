import { edge } from "pulumi-hybridai";
import { installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { K3S_BUNDLED } from "../../fixtures/upstream/k3s";

const mocks = installMocks();

const {
  DEFAULT_K3S_RELEASE,
  DEFAULT_MODEL_CACHE,
  EdgeFleet,
  k3sConfig,
  NVIDIA_RUNTIME_CLASS,
  planEdgeHost,
} = edge;

/** `Kind namespace/name` of a recorded Kubernetes object (`-` for cluster-scoped). */
function identity(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace || "-"}/${name}`;
}

describe("EdgeFleet on k3s, against the objects k3s installs by itself", async () => {
  mocks.reset();
  new EdgeFleet("ranker", {
    model: { uri: "https://models.example.com/ranker", revision: "v7" },
    sites: [
      { name: "shop", ring: 0, region: "eu", kubeconfig: "kubeconfig-shop" },
      {
        name: "clinic",
        ring: 1,
        region: "eu",
        kubeconfig: "kubeconfig-clinic",
        accelerator: { type: "nvidia-l4" },
      },
    ],
  });
  await settle();
  const objects = mocks.resources.filter(
    (r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs.metadata?.name,
  );
  const kindOf = (type: string) => type.split(":").at(-1) as string;

  it("pins the k3s release whose bundled manifests the oracle lists", () => {
    expect(DEFAULT_K3S_RELEASE.version).toBe(K3S_BUNDLED.version);
    expect(K3S_BUNDLED.objects.length).toBeGreaterThan(30);
  });

  it("creates none of them: creating an object that exists fails with AlreadyExists", () => {
    expect(objects.length).toBeGreaterThan(10);
    const bundled = new Set(K3S_BUNDLED.objects.map((o) => identity(o.kind, o.namespace, o.name)));
    const clashes = objects
      .map((o) =>
        identity(kindOf(o.type), o.inputs.metadata.namespace ?? "", o.inputs.metadata.name),
      )
      .filter((id) => bundled.has(id));
    expect(clashes).toEqual([]);
  });

  it("runs GPU pods under the RuntimeClass k3s ships for the NVIDIA runtime", () => {
    const classes = mocks
      .ofType("kubernetes:apps/v1:StatefulSet")
      .map((s) => s.inputs.spec.template.spec.runtimeClassName)
      .filter((c) => c !== undefined);
    expect(classes).toEqual([NVIDIA_RUNTIME_CLASS]);
    expect(K3S_BUNDLED.runtimeClassHandlers[NVIDIA_RUNTIME_CLASS]).toBe("nvidia");
  });

  it("claims its model cache on k3s' node-local StorageClass, bound when the pod is scheduled", () => {
    const claims = mocks
      .ofType("kubernetes:apps/v1:StatefulSet")
      .flatMap((s) => s.inputs.spec.volumeClaimTemplates)
      .map((t) => t.spec.storageClassName);
    expect(claims).toEqual([K3S_BUNDLED.localPath.name, K3S_BUNDLED.localPath.name]);
    expect(DEFAULT_MODEL_CACHE.storageClass).toBe(K3S_BUNDLED.localPath.name);
    expect(K3S_BUNDLED.localPath.volumeBindingMode).toBe("WaitForFirstConsumer");
  });

  it("makes EdgeHost's default container runtime one of k3s' RuntimeClass handlers", () => {
    const plan = planEdgeHost("gpu", {
      connection: { host: "10.0.0.4" },
      token: "join-token",
      accelerator: "nvidia-l4",
    });
    const runtime = k3sConfig(plan, { host: "10.0.0.4" })["default-runtime"] as string;
    expect(Object.values(K3S_BUNDLED.runtimeClassHandlers)).toContain(runtime);
  });
});
