import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { awaitOutput, installMocks, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const mocks = installMocks();

describe("Keda", () => {
  it("installs the pinned chart with its CRDs in its own namespace", async () => {
    const keda = new kubernetes.Keda("keda", { replicas: 2 });
    await settle();
    const release = mocks.one("kubernetes:helm.sh/v3:Release");
    expect(release.parent).toBe(await awaitOutput(keda.urn));
    expect(release.inputs).toMatchObject({
      name: "keda",
      namespace: "keda",
      createNamespace: true,
      chart: "keda",
      version: "2.20.2",
      repositoryOpts: { repo: "https://kedacore.github.io/charts" },
      values: { crds: { install: true }, operator: { replicaCount: 2 } },
    });
    expect(kubernetes.KEDA_CHART).toMatchObject({ version: "2.20.2", appVersion: "2.20.2" });
  });

  it.each([
    ["Keda", {}, "name"],
    ["keda", { namespace: "Bad" }, "namespace"],
    ["keda", { replicas: 0 }, "replicas"],
  ] as const)("refuses %s %j at %s", (name, args, field) => {
    try {
      kubernetes.planKeda(name, args);
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(HybridAiConfigError);
      expect((error as HybridAiConfigError).field).toBe(field);
    }
  });
});
