import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { mlpDemo } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import type { BaselineProfile } from "@hybridai/serving-runtime/src/observability/baseline";
import { runProfileCommand } from "@hybridai/serving-runtime/src/observability/profile-command";
import { beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, CLI, spawnServer } from "../helpers/cli";
import { dynamicModel, identityModel, repositoryWith, tempRepository } from "../helpers/models";
import { featuresRequest, gaussianRows } from "./streams";

let root: string;
let data: string;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function jsonl(name: string, requests: unknown[]): Promise<string> {
  const file = path.join(root, "..", `${path.basename(root)}-${name}.jsonl`);
  await writeFile(file, `${requests.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return file;
}

const readProfile = async (model: string, version = "1"): Promise<BaselineProfile> =>
  JSON.parse(await readFile(path.join(root, model, version, "baseline.json"), "utf8"));

beforeAll(async () => {
  root = await repositoryWith([mlpDemo(), dynamicModel(), identityModel("BYTES")]);
  const next = gaussianRows(1, [0, 5, -2, 10], [1, 2, 0.5, 3]);
  data = await jsonl(
    "mlp",
    Array.from({ length: 150 }, (_, i) =>
      featuresRequest(Array.from({ length: 1 + (i % 3) }, next)),
    ),
  );
});

describe("hybridai-serve profile", () => {
  it("writes per-feature quantile bins beside the model", async () => {
    const { io, out, err } = capture();
    const code = await runProfileCommand(
      ["--model-repository", root, "--model", "mlp", "--data", data],
      io,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const file = path.join(root, "mlp", "1", "baseline.json");
    expect(out).toEqual([
      `hybridai-serve profile: 150 requests, 300 rows of model 'mlp' version 1: features (4 features); wrote ${file}`,
    ]);
    const profile = await readProfile("mlp");
    expect(profile).toMatchObject({
      format: "hybridai-baseline/1",
      model: "mlp",
      version: "1",
      bins: 10,
      source: { file: path.basename(data), requests: 150, rows: 300 },
    });
    expect(profile.inputs).toHaveLength(1);
    const [features] = profile.inputs;
    expect(features).toMatchObject({
      name: "features",
      datatype: "FP32",
      kind: "features",
      rowLength: 4,
    });
    expect(features.shape).toEqual([
      { min: 1, max: 3, mean: 2 },
      { min: 4, max: 4, mean: 4 },
    ]);
    expect(features.distributions).toHaveLength(4);
    for (const [f, mean] of [0, 5, -2, 10].entries()) {
      const d = features.distributions[f];
      expect(d.edges).toHaveLength(9);
      expect(d.shares).toHaveLength(11);
      expect(d.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(d.shares[10]).toBe(0);
      // Deciles of 300 rows: each bin holds 30 rows.
      for (const share of d.shares.slice(0, 10)) expect(share).toBeCloseTo(0.1, 9);
      expect(Math.abs((d.mean as number) - mean)).toBeLessThan(0.5);
    }
  });

  it("profiles variable-length rows by sampled values and BYTES by element lengths", async () => {
    const rows = Array.from({ length: 120 }, (_, i) => {
      const cols = 2 + (i % 5);
      return {
        inputs: [
          {
            name: "x",
            shape: [1, cols],
            datatype: "FP32",
            data: Array.from({ length: cols }, (_, c) => c * 10 + (i % 7)),
          },
        ],
      };
    });
    expect(
      await runProfileCommand(
        ["--model-repository", root, "--model", "dynamic", "--data", await jsonl("dyn", rows)],
        capture().io,
      ),
    ).toBe(0);
    const dynamic = (await readProfile("dynamic")).inputs[0];
    expect(dynamic.kind).toBe("values");
    expect(dynamic.distributions).toHaveLength(1);
    expect(dynamic.shape[1]).toEqual({ min: 2, max: 6, mean: 4 });

    const words = ["a", "bb", "cccc", "dddddddd", "é"];
    const texts = Array.from({ length: 40 }, (_, i) => ({
      inputs: [
        {
          name: "x",
          shape: [1, 3],
          datatype: "BYTES",
          data: [words[i % 5], words[(i + 1) % 5], words[(i + 2) % 5]],
        },
      ],
    }));
    const { io } = capture();
    expect(
      await runProfileCommand(
        [
          "--model-repository",
          root,
          "--model",
          "identity_bytes",
          "--data",
          await jsonl("bytes", texts),
          "--bins",
          "4",
        ],
        io,
      ),
    ).toBe(0);
    const bytes = (await readProfile("identity_bytes")).inputs[0];
    expect(bytes.kind).toBe("lengths");
    // 120 element lengths: 24 × 1, 48 × 2 ("bb" and "é", two UTF-8 bytes), 24 × 4, 24 × 8.
    // Quartiles by nearest rank (ranks 30, 60, 90 of 120): 2, 2, 4 → edges [2, 4];
    // shares: ≤ 2: 72/120, (2, 4]: 24/120, > 4: 24/120, NaN: 0.
    expect(bytes.distributions[0]).toMatchObject({ edges: [2, 4], min: 1, max: 8 });
    expect(bytes.distributions[0].shares).toEqual([0.6, 0.2, 0.2, 0]);
  });

  it("stops at the first request the server would refuse, naming its line", async () => {
    const bad = await jsonl("bad", [
      featuresRequest([[1, 2, 3, 4]]),
      { inputs: [{ name: "features", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] },
    ]);
    const { io, err } = capture();
    expect(
      await runProfileCommand(["--model-repository", root, "--model", "mlp", "--data", bad], io),
    ).toBe(1);
    expect(err.join("\n")).toMatch(
      /failed: .*bad\.jsonl line 2: input 'features': shape \[1,3\] does not match/,
    );
  });

  it("refuses a sample too small for its bins, and bad flags with exit 2", async () => {
    const small = await jsonl("small", [featuresRequest([[1, 2, 3, 4]])]);
    const { io, err } = capture();
    expect(
      await runProfileCommand(["--model-repository", root, "--model", "mlp", "--data", small], io),
    ).toBe(1);
    expect(err.join("\n")).toMatch(
      /1 sample row\(s\) in 1 request\(s\); 10 bins need at least 100/,
    );
    const flags = capture();
    expect(
      await runProfileCommand(
        ["--model-repository", root, "--model", "mlp", "--bins", "1"],
        flags.io,
      ),
    ).toBe(2);
    expect(flags.err.join("\n")).toMatch(/--data is required/);
    const bins = capture();
    expect(
      await runProfileCommand(
        ["--model-repository", root, "--model", "mlp", "--data", data, "--bins", "1"],
        bins.io,
      ),
    ).toBe(2);
    expect(bins.err.join("\n")).toContain("--bins 1 is out of range; use 2 to 100");
  });

  it("is a subcommand of the hybridai-serve CLI", async () => {
    await buildRuntime();
    const other = await tempRepository();
    const { writeRepository } = await import(
      "@hybridai/serving-runtime/src/modelgen/write-repository"
    );
    await writeRepository(other, [mlpDemo()]);
    const run = spawnServer("node", [
      CLI,
      "profile",
      "--model-repository",
      other,
      "--model",
      "mlp",
      "--data",
      data,
    ]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/300 rows of model 'mlp' version 1/);
    const written = JSON.parse(
      await readFile(path.join(other, "mlp", "1", "baseline.json"), "utf8"),
    );
    expect(written.inputs[0].kind).toBe("features");
  }, 300_000);
});
