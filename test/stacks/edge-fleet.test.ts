import type * as pulumi from "@pulumi/pulumi";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { runStack } from "../../stacks/program";
import { STACK_SECTIONS } from "../../stacks/sections";
import { revealedRecords, SECRET_MARK, SECRET_SIG } from "../components/edge/secret-envelope";
import { loadStackConfig } from "./stack-file";

const mocks = installMocks();
mocks.setConfig(loadStackConfig("edge-fleet"));

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

describe("stacks/index.ts's program on the edge-fleet file", async () => {
  const { runtime } = await import("@pulumi/pulumi");
  const outputs = runStack(runtime.allConfig(), STACK_SECTIONS);
  await settle();
  const sites = await awaitOutput(
    outputs.edge.sites as pulumi.Output<Record<string, Record<string, unknown>>>,
  );

  it("deploys only the edge section: one EdgeFleet over three sites, each with its provider", () => {
    expect(Object.keys(outputs)).toEqual(["edge"]);
    expect(mocks.ofType("hybridai:index:EdgeFleet")).toHaveLength(1);
    const providers = mocks.ofType("pulumi:providers:kubernetes");
    expect(providers.map((p) => p.name).sort()).toEqual([
      "ranker-clinic-lyon",
      "ranker-store-berlin",
      "ranker-store-paris",
    ]);
    expect(
      mocks.one("pulumi:providers:kubernetes", "ranker-store-paris").inputs.kubeconfig,
    ).toEqual({
      [SECRET_SIG]: SECRET_MARK,
      value: "kubeconfigs/store-paris.yaml",
    });
  });

  it("validates every Kubernetes object of the stack against the upstream schema", () => {
    const validated = validateKubernetesObjects(revealedRecords(mocks.resources));
    expect(
      validated.filter((v) => v.kind === "StatefulSet" && v.status === "validated"),
    ).toHaveLength(3);
    expect(validated.filter((v) => v.kind === "Deployment")).toEqual([]);
    // k3s installs the nvidia RuntimeClass itself; the stack's sites are k3s.
    expect(validated.filter((v) => v.kind === "RuntimeClass")).toHaveLength(0);
  });

  it("rolls out in two rings: the canary store first, then the other two", () => {
    const canary = mocks.one(STATEFUL_SET, "ranker-store-berlin");
    expect(canary.dependencies.filter((urn) => urn.includes(STATEFUL_SET))).toEqual([]);
    for (const site of ["store-paris", "clinic-lyon"]) {
      expect(mocks.one(STATEFUL_SET, `ranker-${site}`).dependencies).toContain(canary.urn);
    }
    expect(
      Object.fromEntries(Object.entries(sites).map(([name, status]) => [name, status.ring])),
    ).toEqual({ "store-berlin": 0, "store-paris": 1, "clinic-lyon": 1 });
  });

  it("runs the file's image, model revision and sizes on each site", () => {
    expect(sites["store-berlin"]).toMatchObject({
      arch: "arm64",
      modelRevision: "2026-05-01",
      image: "ghcr.io/acme/hybridai-serving-runtime:0.1.0",
    });
    expect(sites["clinic-lyon"].image).toBe("ghcr.io/acme/hybridai-serving-runtime:0.1.0-cuda");
    const paris = mocks.one(STATEFUL_SET, "ranker-store-paris").inputs;
    expect(paris.spec.replicas).toBe(2);
    // Each of the two replicas gets its own claim from the file's cache settings.
    expect(paris.spec.volumeClaimTemplates).toHaveLength(1);
    expect(paris.spec.volumeClaimTemplates[0]).toMatchObject({
      metadata: { name: "model-cache" },
      spec: { storageClassName: "local-path", resources: { requests: { storage: "6Gi" } } },
    });
    const berlinPod = mocks.one(STATEFUL_SET, "ranker-store-berlin").inputs.spec.template.spec;
    expect(berlinPod.nodeSelector).toEqual({ "kubernetes.io/arch": "arm64" });
    expect(berlinPod.volumes.filter((v: object) => "hostPath" in v)).toEqual([]);
    expect(berlinPod.initContainers[0].args).toEqual([
      "pull",
      "--from",
      "https://models.acme.example/ranker",
      "--to",
      "/models/ranker",
      "--cache-dir",
      "/var/cache/hybridai",
      "--cache-keep",
      "2",
    ]);
  });

  it("writes the cloud fallback to the URL of the file into each site's model config", () => {
    const pod = mocks.one(STATEFUL_SET, "ranker-clinic-lyon").inputs.spec.template.spec;
    const configure = pod.initContainers.find((c: { name: string }) => c.name === "model-config");
    expect(JSON.parse(configure.args[0])).toEqual({
      fallback: {
        url: "https://ranker.inference.acme.example",
        timeout_ms: 2000,
        on: ["timeout", "error", "overload"],
      },
    });
    // No token in the file: no Secret, no token file (set one with `pulumi config set --secret`).
    expect(mocks.ofType("kubernetes:core/v1:Secret")).toEqual([]);
  });
});
