import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

/** The parts of a planned pod these tests read. */
interface PlannedPod {
  containers: { args: string[]; volumeMounts: unknown[] }[];
  volumes: { name: string; secret?: unknown }[];
}

function podWith(auth: Record<string, unknown>): PlannedPod {
  const plan = kubernetes.planOnnxService("ranker", {
    model: { uri: "s3://b/models/ranker" },
    auth: auth as never,
  });
  return (plan.deployment.spec as unknown as { template: { spec: PlannedPod } }).template.spec;
}

describe("OnnxService auth (pure)", () => {
  it("mounts one bearer token for --auth-token-file by default", () => {
    const pod = podWith({ secretName: "ranker-token" });
    const args = pod.containers[0].args;
    expect(args.slice(-2)).toEqual(["--auth-token-file", "/etc/hybridai/auth/token"]);
    expect(args).not.toContain("--tokens-file");
    expect(pod.volumes.filter((volume) => volume.name === "auth-token")).toEqual([
      {
        name: "auth-token",
        secret: {
          secretName: "ranker-token",
          items: [{ key: "token", path: "token" }],
          defaultMode: 0o440,
        },
      },
    ]);
  });

  it("mounts a tokens file of named clients for --tokens-file with tokensFile", () => {
    const pod = podWith({ secretName: "ranker-clients", key: "clients.json", tokensFile: true });
    const args = pod.containers[0].args;
    expect(args.slice(-2)).toEqual(["--tokens-file", "/etc/hybridai/auth/tokens.json"]);
    expect(args).not.toContain("--auth-token-file");
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "auth-token",
      mountPath: "/etc/hybridai/auth",
      readOnly: true,
    });
    expect(pod.volumes.filter((volume) => volume.name === "auth-token")).toEqual([
      {
        name: "auth-token",
        secret: {
          secretName: "ranker-clients",
          items: [{ key: "clients.json", path: "tokens.json" }],
          defaultMode: 0o440,
        },
      },
    ]);
  });

  it("refuses a tokensFile that is not a boolean, naming the field", () => {
    expect(() => podWith({ secretName: "ranker-clients", tokensFile: "yes" })).toThrow(
      HybridAiConfigError,
    );
    expect(() => podWith({ secretName: "ranker-clients", tokensFile: "yes" })).toThrow(
      /OnnxService.*auth\.tokensFile.*"yes".*true or false/s,
    );
  });
});
