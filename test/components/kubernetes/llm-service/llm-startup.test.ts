import { readFileSync } from "node:fs";
import path from "node:path";
import { type AcceleratorSpec, kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

/** The documented cold starts: docs/llm-serving.md, "Startup budgets". */
function documentedColdStarts(): {
  weightsGiB: number;
  accelerator: AcceleratorSpec;
  seconds: number;
}[] {
  const doc = readFileSync(path.resolve(__dirname, "../../../../docs/llm-serving.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Startup budgets"), doc.indexOf("## Scaling"));
  return section
    .split("\n")
    .filter((line) => /^\| \d+B/.test(line))
    .map((line) => {
      const [model, accelerator, seconds] = line
        .split("|")
        .slice(1, 4)
        .map((c) => c.trim()) as [string, string, string];
      const weightsGiB = Number(/\((\d+) GiB\)/.exec(model)?.[1]);
      const gpus = /^(\d+) × (\S+)$/.exec(accelerator);
      const tpu = /^(tpu-\S+) (\S+)$/.exec(accelerator);
      const spec = gpus
        ? ({ type: gpus[2], count: Number(gpus[1]) } as AcceleratorSpec)
        : ({ type: tpu?.[1], topology: tpu?.[2] } as AcceleratorSpec);
      return { weightsGiB, accelerator: spec, seconds: Number(seconds) };
    });
}

const uri = (spec: AcceleratorSpec) =>
  spec.type.startsWith("tpu") ? "gs://models/llm" : "s3://models/llm";

describe("startup budgets against the documented cold starts", () => {
  const rows = documentedColdStarts();

  it("reads the documentation's table", () => {
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      expect(Number.isFinite(row.weightsGiB) && row.seconds > 0, JSON.stringify(row)).toBe(true);
    }
  });

  it.each(rows.map((r) => [r.accelerator, r.weightsGiB, r.seconds] as const))(
    "on %j with %i GiB: startup probe ≥ %i s, rollout waits ≥ node + image + that",
    (accelerator, sizeGiB, seconds) => {
      const plan = kubernetes.planLlmService("llm", {
        model: { uri: uri(accelerator), sizeGiB },
        accelerator,
      });
      // biome-ignore lint/suspicious/noExplicitAny: plain provider arguments
      const deployment = plan.deployment.spec as any;
      const probe = deployment.template.spec.containers[0].startupProbe;
      expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(seconds);
      const family = plan.accelerator.family;
      const { nodeProvisionSeconds, imagePullSeconds } = kubernetes.COLD_START;
      const rollout = nodeProvisionSeconds[family] + imagePullSeconds + seconds;
      expect(deployment.progressDeadlineSeconds).toBeGreaterThanOrEqual(rollout);
      expect(Number.parseInt(plan.rolloutTimeout, 10) * 60).toBeGreaterThanOrEqual(rollout);
    },
  );

  it("without model.sizeGiB, budgets for the most the accelerators hold", () => {
    for (const row of rows) {
      const plan = kubernetes.planLlmService("llm", {
        model: { uri: uri(row.accelerator) },
        accelerator: row.accelerator,
      });
      expect(plan.startup.weightsGiB).toBeGreaterThanOrEqual(row.weightsGiB);
      expect(plan.startup.coldStartSeconds).toBeGreaterThanOrEqual(row.seconds);
    }
  });
});
