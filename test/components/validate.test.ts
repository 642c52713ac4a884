import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { assertOneOf, assertWholeNumber } from "../../components/validate";
import { configErrorOf } from "./helpers/config-error";

describe("assertWholeNumber", () => {
  it("returns a whole number within the bounds, both ends included", () => {
    expect(assertWholeNumber("Pool", "size", 1, 1, 3)).toBe(1);
    expect(assertWholeNumber("Pool", "size", 3, 1, 3)).toBe(3);
    expect(assertWholeNumber("Pool", "size", 10 ** 9, 0)).toBe(10 ** 9);
  });

  it("refuses fractions, strings, NaN and numbers out of range, naming the range", () => {
    for (const value of [0, 4, 2.5, "2", Number.NaN, undefined]) {
      expect(configErrorOf(() => assertWholeNumber("Pool", "size", value, 1, 3)).message).toBe(
        `Pool: size = ${value === undefined ? "undefined" : JSON.stringify(value)} is not valid. Allowed: a whole number from 1 to 3.`,
      );
    }
  });

  it("says ≥ min without an upper bound, and refuses integers past 2^53 − 1", () => {
    expect(configErrorOf(() => assertWholeNumber("Pool", "disk", 9, 10)).message).toBe(
      "Pool: disk = 9 is not valid. Allowed: a whole number ≥ 10.",
    );
    expect(() => assertWholeNumber("Pool", "disk", 2 ** 60, 10)).toThrow(HybridAiConfigError);
  });

  it("says what the caller allows when given, keeping the field and value", () => {
    const error = configErrorOf(() =>
      assertWholeNumber("Fleet", "drain", 60, 120, 7200, "seconds from 120 to 7200"),
    );
    expect([error.component, error.field, error.value, error.allowed]).toEqual([
      "Fleet",
      "drain",
      60,
      "seconds from 120 to 7200",
    ]);
  });
});

describe("assertOneOf", () => {
  it("returns an allowed value and lists the allowed ones otherwise", () => {
    expect(assertOneOf("Dns", "policy", "weighted", ["failover", "weighted"])).toBe("weighted");
    expect(assertOneOf("Logs", "days", 30, [7, 30, 90])).toBe(30);
    expect(configErrorOf(() => assertOneOf("Dns", "policy", "latency", ["failover"])).message).toBe(
      'Dns: policy = "latency" is not valid. Allowed: failover.',
    );
    expect(configErrorOf(() => assertOneOf("Logs", "days", "30", [7, 30, 90])).message).toBe(
      'Logs: days = "30" is not valid. Allowed: 7, 30, 90.',
    );
  });

  it("says the explanation instead of the list when given one", () => {
    const explained = configErrorOf(() =>
      assertOneOf("Dns", "intervalSeconds", 20, [10, 30], "10 or 30 (fixed at creation)"),
    );
    expect(explained.message).toBe(
      "Dns: intervalSeconds = 20 is not valid. Allowed: 10 or 30 (fixed at creation).",
    );
    expect(assertOneOf("Dns", "intervalSeconds", 30, [10, 30], "10 or 30")).toBe(30);
  });
});
