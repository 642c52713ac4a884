import { HybridAiConfigError, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

const { planOnnxService } = kubernetes;

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a HybridAiConfigError");
}

describe("OnnxService spotNoticeSeconds (a notice in seconds, for spot capacity of other clouds)", () => {
  const plan = (args: Partial<kubernetes.OnnxServiceArgs>) => () =>
    planOnnxService("s", { model: { uri: "gs://b/m" }, ...args });

  it("lets the grace period use the whole notice, and not a second more", () => {
    expect(plan({ spotNoticeSeconds: 45, terminationGracePeriodSeconds: 45 })).not.toThrow();
    expect(message(plan({ spotNoticeSeconds: 45, terminationGracePeriodSeconds: 46 }))).toBe(
      "OnnxService: terminationGracePeriodSeconds = 46 is not valid. Allowed: whole seconds from 2 to 45: spot nodes get a 45 s interruption notice (spotNotice 45), a longer grace period is cut short.",
    );
  });

  it("takes whole seconds from 1 to 3600", () => {
    expect(message(plan({ spotNoticeSeconds: 0 }))).toBe(
      "OnnxService: spotNoticeSeconds = 0 is not valid. Allowed: a whole number from 1 to 3600.",
    );
    expect(message(plan({ spotNoticeSeconds: 2.5 }))).toMatch(
      /^OnnxService: spotNoticeSeconds = 2.5 /,
    );
  });

  it("refuses a cloud's notice and seconds together, naming both", () => {
    expect(message(plan({ spotNotice: "aws", spotNoticeSeconds: 60 }))).toBe(
      'OnnxService: spotNoticeSeconds = 60 is not valid. Allowed: either spotNotice ("aws") or spotNoticeSeconds, not both.',
    );
  });

  it("keeps each cloud's notice through spotNotice", () => {
    expect(plan({ spotNotice: "aws", terminationGracePeriodSeconds: 120 })).not.toThrow();
    expect(message(plan({ spotNotice: "gcp", terminationGracePeriodSeconds: 31 }))).toMatch(
      /whole seconds from 2 to 30: spot nodes get a 30 s interruption notice \(spotNotice "gcp"\)/,
    );
  });
});
