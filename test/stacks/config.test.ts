import { HybridAiConfigError } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateStackConfig } from "../../stacks/config";
import { planErrorIssue, problemIssue } from "../../stacks/config-problems";
import type { StackSection } from "../../stacks/section";
import { STACK_SECTIONS } from "../../stacks/sections";

const section = (key: string, schema: z.ZodType): StackSection<unknown> => ({
  key,
  summary: `the ${key} part`,
  schema,
  deploy: () => ({}),
});

const SECTIONS = [
  section(
    "aws",
    z.strictObject({
      region: z.enum(["us-east-1", "us-west-2"]),
      nodes: z.number().int().min(1),
      pools: z
        .array(z.strictObject({ name: z.string().regex(/^[a-z]+$/), size: z.number().max(10) }))
        .default([]),
      notice: z.union([z.enum(["aws", "gcp"]), z.number().int()]).optional(),
      arn: z.string().startsWith("arn:").optional(),
      tags: z.record(z.string(), z.string()).optional(),
    }),
  ),
  section("serving", z.strictObject({ image: z.string().min(1), port: z.number().optional() })),
];

/** The message `validateStackConfig` throws for `config` (each value is JSON-encoded). */
function messageFor(
  config: Record<string, unknown>,
  sections: readonly StackSection<unknown>[] = SECTIONS,
): string {
  const raw = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  try {
    validateStackConfig(raw, sections);
  } catch (error) {
    expect(error).toBeInstanceOf(HybridAiConfigError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

const fleet = (change: object) => ({
  name: "l4",
  accelerator: { type: "nvidia-l4", count: 1 },
  capacity: { min: 1, max: 8 },
  ...change,
});

describe("validateStackConfig", () => {
  it("returns each present section's parsed value", () => {
    const config = validateStackConfig(
      {
        "hybridai:aws": JSON.stringify({ region: "us-west-2", nodes: 2 }),
        "aws:region": "us-west-2",
      },
      SECTIONS,
    );
    expect([...config.entries()]).toEqual([["aws", { region: "us-west-2", nodes: 2, pools: [] }]]);
  });

  it("rejects an empty config, naming every section that could switch the stack on", () => {
    expect(messageFor({ "aws:region": "us-west-2" })).toBe(
      "stack config: hybridai:* is missing. Expected: at least one of: hybridai:aws (the aws part); hybridai:serving (the serving part).",
    );
  });

  it("rejects an unknown section and lists the known ones", () => {
    expect(messageFor({ "hybridai:azure": {} })).toBe(
      "stack config: hybridai:azure is not a known key. Known keys: hybridai:aws, hybridai:serving.",
    );
  });

  it("rejects a section that is not an object", () => {
    expect(messageFor({ "hybridai:serving": "not json" })).toBe(
      'stack config: hybridai:serving = "not json" is not valid. Allowed: a YAML/JSON object (set it as an object in Pulumi.<stack>.yaml).',
    );
  });

  it("reports every bad field at once, one a line, with its key path, value and what is allowed", () => {
    const message = messageFor({
      "hybridai:aws": {
        region: "eu-north-9",
        nodes: 0,
        pools: [{ name: "ok" }, { name: "Bad", size: 11 }],
        notice: "azure",
        arn: "role/x",
        tags: { team: 7 },
      },
      "hybridai:serving": { image: "", extra: { deep: true } },
    });
    expect(message.split("\n")).toEqual([
      "stack config: 10 problems:",
      '  hybridai:aws.region = "eu-north-9" is not valid. Allowed: us-east-1, us-west-2.',
      "  hybridai:aws.nodes = 0 is not valid. Allowed: a whole number ≥ 1.",
      "  hybridai:aws.pools[0].size is missing. Expected: a number.",
      '  hybridai:aws.pools[1].name = "Bad" is not valid. Allowed: a string matching /^[a-z]+$/.',
      "  hybridai:aws.pools[1].size = 11 is not valid. Allowed: a number ≤ 10.",
      '  hybridai:aws.notice = "azure" is not valid. Allowed: aws, gcp; or a whole number.',
      '  hybridai:aws.arn = "role/x" is not valid. Allowed: a string starting with "arn:".',
      "  hybridai:aws.tags.team = 7 is not valid. Allowed: a string.",
      '  hybridai:serving.image = "" is not valid. Allowed: a non-empty string.',
      "  hybridai:serving.extra is not a known key. Known keys: image, port.",
    ]);
  });

  it("reports a problem a refinement found with its own value and allowed text, once per field", () => {
    const refined = z
      .strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .superRefine((value, ctx) => {
        if (value.max < 1) {
          const error = new HybridAiConfigError("Pool", "max", value.max, "1 to 64");
          ctx.addIssue(planErrorIssue([], error));
        }
        if (value.min > value.max) {
          ctx.addIssue(problemIssue(["min"], { value: value.min, allowed: "at most max" }));
        }
      });
    const pool = section("pool", z.strictObject({ capacity: refined }));
    expect(messageFor({ "hybridai:pool": { capacity: { min: 3, max: 0 } } }, [pool])).toBe(
      [
        "stack config: 2 problems:",
        "  hybridai:pool.capacity.max = 0 is not valid. Allowed: 1 to 64.",
        "  hybridai:pool.capacity.min = 3 is not valid. Allowed: at most max.",
      ].join("\n"),
    );
  });
});

/** An `hybridai:aws` section whose cluster is reachable, plus `rest`. */
const awsWith = (rest: object) => ({
  cluster: { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
  ...rest,
});

describe("validateStackConfig with the shipped sections", () => {
  it("lists the allowed spot notices for an unknown cloud", () => {
    const services = [{ name: "ranker", cluster: "eks", spotNotice: "azure" }];
    expect(messageFor({ "hybridai:serving": { image: "i:1", services } }, STACK_SECTIONS)).toBe(
      'stack config: hybridai:serving.services[0].spotNotice = "azure" is not valid. Allowed: aws, gcp; or a whole number.',
    );
  });

  it("names an impossible accelerator count once, without the component's wrapping", () => {
    const fleets = [fleet({ accelerator: { type: "nvidia-l4", count: 3 } })];
    expect(messageFor({ "hybridai:aws": awsWith({ fleets }) }, STACK_SECTIONS)).toBe(
      "stack config: hybridai:aws.fleets[0].accelerator.count = 3 is not valid. Allowed: for nvidia-l4 on aws: 1, 4, 8.",
    );
  });

  it("reports one bad capacity.max once, though both the schema and the plan reject it", () => {
    const fleets = [fleet({ capacity: { min: 1, max: 0 } })];
    expect(messageFor({ "hybridai:aws": awsWith({ fleets }) }, STACK_SECTIONS)).toBe(
      "stack config: hybridai:aws.fleets[0].capacity.max = 0 is not valid. Allowed: a whole number ≥ 1.",
    );
  });

  it("names each pool that reuses a name, at its own path", () => {
    const config = { fleets: [fleet({}), fleet({})], nodeGroups: [fleet({})] };
    expect(messageFor({ "hybridai:aws": awsWith(config) }, STACK_SECTIONS)).toBe(
      [
        "stack config: 2 problems:",
        '  hybridai:aws.fleets[1].name = "l4" is not valid. Allowed: a name not used by another fleet or node group.',
        '  hybridai:aws.nodeGroups[0].name = "l4" is not valid. Allowed: a name not used by another fleet or node group.',
      ].join("\n"),
    );
  });

  it("never repeats a key path or ends a line with two periods", () => {
    const fleets = [
      fleet({ accelerator: { type: "nvidia-l4", count: 3 }, capacity: { min: 0, max: 0 } }),
    ];
    const lines = messageFor({ "hybridai:aws": awsWith({ fleets }) }, STACK_SECTIONS).split("\n");
    expect(lines).toEqual([
      "stack config: 2 problems:",
      "  hybridai:aws.fleets[0].capacity.max = 0 is not valid. Allowed: a whole number ≥ 1.",
      "  hybridai:aws.fleets[0].accelerator.count = 3 is not valid. Allowed: for nvidia-l4 on aws: 1, 4, 8.",
    ]);
  });
});
