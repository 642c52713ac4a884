import { describe, expect, it } from "vitest";
import { HybridAiConfigError } from "../../components/errors";
import { cloudName } from "../../components/names";

describe("cloudName", () => {
  it("joins the parts unchanged when they fit", () => {
    expect(cloudName({ prefix: "hybridai-fleet", scope: "prod", suffix: "l4", max: 99 })).toBe(
      "hybridai-fleet-prod-l4",
    );
    expect(cloudName({ scope: "prod", suffix: "system", max: 63 })).toBe("prod-system");
  });

  it("shortens only the scope and marks it with a stable 6-character hash when too long", () => {
    const cluster = `inference-${"x".repeat(90)}`;
    const name = cloudName({ scope: cluster, suffix: "system", max: 63 });
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^inference-x+-[0-9a-f]{6}-system$/);
    expect(cloudName({ scope: cluster, suffix: "system", max: 63 })).toBe(name);
  });

  it("keeps names of two long scopes that share their start apart", () => {
    const east = cloudName({ scope: `${"a".repeat(60)}-east`, suffix: "nodes", max: 30 });
    const west = cloudName({ scope: `${"a".repeat(60)}-west`, suffix: "nodes", max: 30 });
    expect(east).not.toBe(west);
    expect([east.length, west.length]).toEqual([30, 30]);
  });

  it("always adds the hash when the name must also be unique by something it does not contain", () => {
    const central = cloudName({ scope: "ai", suffix: "nodes", max: 30, uniqueIn: "us-central1" });
    const europe = cloudName({ scope: "ai", suffix: "nodes", max: 30, uniqueIn: "europe-west4" });
    expect(central).toMatch(/^ai-[0-9a-f]{6}-nodes$/);
    expect(europe).toMatch(/^ai-[0-9a-f]{6}-nodes$/);
    expect(central).not.toBe(europe);
  });

  it("ends with '-' for a prefix the cloud completes, and counts it", () => {
    expect(cloudName({ scope: "prod", suffix: "node", max: 38, trailingDash: true })).toBe(
      "prod-node-",
    );
    const long = cloudName({ scope: "p".repeat(80), suffix: "node", max: 38, trailingDash: true });
    expect(long).toHaveLength(38);
    expect(long.endsWith("-node-")).toBe(true);
  });

  it("never leaves a hyphen where the scope was cut", () => {
    const name = cloudName({ scope: `${"a".repeat(43)}-${"b".repeat(40)}`, suffix: "x", max: 53 });
    expect(name).not.toMatch(/--/);
    expect(name).toHaveLength(52);
  });

  it("refuses fixed parts that leave no room for the scope, naming the field", () => {
    expect(() =>
      cloudName({ scope: "prod", suffix: "s".repeat(60), max: 63, field: "fleets[0].name" }),
    ).toThrow(HybridAiConfigError);
    expect(() =>
      cloudName({ scope: "prod", suffix: "s".repeat(60), max: 63, field: "fleets[0].name" }),
    ).toThrow(/fleets\[0\]\.name = .* at most 63 characters/);
  });
});
