import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateStackConfig } from "../../stacks/config";
import type { StackSection } from "../../stacks/section";

const section = (key: string, schema: z.ZodType): StackSection<unknown> => ({
  key,
  summary: `the ${key} part`,
  schema,
  deploy: () => ({}),
});

const SECTIONS = [
  section(
    "aws",
    z.strictObject({ region: z.enum(["us-east-1", "us-west-2"]), nodes: z.number().int().min(1) }),
  ),
  section("serving", z.strictObject({ image: z.string().min(1) })),
];

describe("validateStackConfig", () => {
  it("returns each present section's parsed value", () => {
    const config = validateStackConfig(
      {
        "hybridai:aws": JSON.stringify({ region: "us-west-2", nodes: 2 }),
        "aws:region": "us-west-2",
      },
      SECTIONS,
    );
    expect([...config.entries()]).toEqual([["aws", { region: "us-west-2", nodes: 2 }]]);
  });

  it("rejects an empty config, naming every section that could switch the stack on", () => {
    const call = () => validateStackConfig({ "aws:region": "us-west-2" }, SECTIONS);
    expect(call).toThrow(HybridAiConfigError);
    expect(call).toThrow(
      /at least one of: hybridai:aws \(the aws part\); hybridai:serving \(the serving part\)/,
    );
  });

  it("rejects an unknown section and lists the known ones", () => {
    expect(() => validateStackConfig({ "hybridai:azure": "{}" }, SECTIONS)).toThrow(
      /hybridai:azure is not a known section \(known: aws, serving\)/,
    );
  });

  it("names the key path and what is allowed for every bad field, all at once", () => {
    const call = () =>
      validateStackConfig(
        {
          "hybridai:aws": JSON.stringify({ region: "eu-north-9", nodes: 0 }),
          "hybridai:serving": JSON.stringify({ image: "", extra: true }),
        },
        SECTIONS,
      );
    expect(call).toThrow(
      /hybridai:aws\.region: Invalid option: expected one of "us-east-1"\|"us-west-2"/,
    );
    expect(call).toThrow(/hybridai:aws\.nodes: Too small: expected number to be >=1/);
    expect(call).toThrow(/hybridai:serving\.image/);
    expect(call).toThrow(/hybridai:serving: Unrecognized key: "extra"/);
  });

  it("rejects a section that is not an object", () => {
    expect(() => validateStackConfig({ "hybridai:serving": "not json" }, SECTIONS)).toThrow(
      /hybridai:serving = "not json" is not valid\. Allowed: a YAML\/JSON object/,
    );
  });
});
