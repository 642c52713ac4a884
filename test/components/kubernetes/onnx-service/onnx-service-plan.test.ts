import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planOnnxService, SPOT_NOTICE_SECONDS, spotNoticeSeconds } = kubernetes;

/** The parts of a planned pod these tests read (the plan holds plain values here). */
interface PlannedPod {
  serviceAccountName: string;
  containers: { ports: unknown; args: string[] }[];
}

describe("planOnnxService (pure)", () => {
  it("plans every object without registering anything", () => {
    const plan = planOnnxService("ranker", {
      model: { uri: "s3://b/models/ranker" },
      serviceAccount: { name: "model-reader", create: false },
      port: 9000,
    });
    expect(plan.serviceAccount).toBeUndefined();
    expect(plan.serviceName).toBe("ranker");
    expect(plan.port).toBe(9000);
    expect(plan.canary).toBeUndefined();
    expect(plan.serviceMonitor).toBeUndefined();
    const pod = (plan.deployment.spec as unknown as { template: { spec: PlannedPod } }).template
      .spec;
    expect(pod.serviceAccountName).toBe("model-reader");
    expect(pod.containers[0].ports).toEqual([
      { name: "http", containerPort: 9000, protocol: "TCP" },
      { name: "metrics", containerPort: 8002, protocol: "TCP" },
    ]);
    expect(pod.containers[0].args).toContain("9000");
  });

  it("turns the runtime's own drain grace off only while a preStop pause covers endpoint propagation", () => {
    const argsWith = (preStopSeconds: number) =>
      (
        planOnnxService("ranker", { model: { uri: "s3://b/models/ranker" }, preStopSeconds })
          .deployment.spec as unknown as { template: { spec: PlannedPod } }
      ).template.spec.containers[0].args;
    expect(argsWith(5).slice(-4)).toEqual([
      "--drain-timeout-seconds",
      "20",
      "--drain-grace-seconds",
      "0",
    ]);
    expect(argsWith(0)).not.toContain("--drain-grace-seconds");
    expect(argsWith(0).slice(-2)).toEqual(["--drain-timeout-seconds", "25"]);
  });

  it("knows each cloud's spot notice", () => {
    expect(SPOT_NOTICE_SECONDS).toEqual({ aws: 120, gcp: 30 });
    expect(spotNoticeSeconds("X", "aws")).toBe(120);
    expect(spotNoticeSeconds("X", 45)).toBe(45);
    expect(() => spotNoticeSeconds("X", 0)).toThrow(HybridAiConfigError);
  });

  it("accepts a grace period up to the notice, and anything up to an hour off spot", () => {
    const ok = (args: object) => () =>
      planOnnxService("s", { model: { uri: "gs://b/m" }, ...args });
    expect(ok({ terminationGracePeriodSeconds: 30 })).not.toThrow();
    expect(ok({ terminationGracePeriodSeconds: 31 })).toThrow(/terminationGracePeriodSeconds = 31/);
    expect(ok({ spotNotice: 45, terminationGracePeriodSeconds: 45 })).not.toThrow();
    expect(ok({ spot: false, terminationGracePeriodSeconds: 3600 })).not.toThrow();
    expect(ok({ spot: false, terminationGracePeriodSeconds: 3601 })).toThrow(
      /whole seconds from 2 to 3600/,
    );
  });

  it("names the field, the value and what is allowed", () => {
    try {
      planOnnxService("s", {
        model: { uri: "gs://b/m" },
        accelerator: { type: "aws-inferentia2" },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HybridAiConfigError);
      expect(error).toMatchObject({
        component: "OnnxService",
        field: "accelerator.type",
        value: "aws-inferentia2",
      });
      expect((error as HybridAiConfigError).allowed).toContain("nvidia-l4");
    }
  });

  it("refuses a component name too long for the canary's -canary suffix", () => {
    const name = `a${"b".repeat(57)}`;
    expect(() =>
      planOnnxService(name, {
        model: { uri: "gs://b/m" },
        canary: { uri: "gs://b/m2", weight: 5, gateway: { name: "gw" } },
      }),
    ).toThrow(/at most 63 characters/);
  });
});
