import { readFileSync } from "node:fs";
import { kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** The YAML blocks of the docs section on scaling on the runtime's queue (docs/kubernetes-onnx-service.md). */
function sectionYaml(): unknown[] {
  const page = readFileSync("docs/kubernetes-onnx-service.md", "utf8");
  const start = page.indexOf("### Scaling on the runtime's queue instead of CPU");
  if (start < 0) throw new Error("docs/kubernetes-onnx-service.md lost its queue-scaling section");
  const section = page.slice(start, page.indexOf("\n## ", start));
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
}

describe("docs/kubernetes-onnx-service.md: scaling on the runtime's queue", () => {
  const [adapter, serving] = sectionYaml() as [
    { rules: { custom: { seriesQuery: string; metricsQuery: string; name: { as: string } }[] } },
    { autoscaling: { metric: { name: string; targetAverageValue: string } } },
  ];

  it("queries only metrics the runtime exports", () => {
    const exported = readFileSync("serving-runtime/src/metrics.ts", "utf8");
    const rules = adapter.rules.custom;
    expect(rules).toHaveLength(2);
    const used = rules.flatMap((r) =>
      [...`${r.seriesQuery} ${r.metricsQuery}`.matchAll(/nv_inference_[a-z_]+/g)].map((m) => m[0]),
    );
    expect(new Set(used)).toEqual(
      new Set([
        "nv_inference_pending_request_count",
        "nv_inference_queue_duration_us",
        "nv_inference_request_success",
      ]),
    );
    for (const metric of used) expect(exported).toContain(`"${metric}"`);
  });

  it("names in the service the metric an adapter rule serves, and OnnxService turns it into a Pods metric", () => {
    const metric = serving.autoscaling.metric;
    expect(adapter.rules.custom.map((r) => r.name.as)).toContain(metric.name);
    const plan = kubernetes.planOnnxService("ranker", {
      model: { uri: "s3://models/ranker" },
      autoscaling: serving.autoscaling,
    });
    expect(plan.autoscaler.spec).toMatchObject({
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: "nv_inference_pending_request_count" },
            target: { type: "AverageValue", averageValue: "4" },
          },
        },
      ],
    });
  });
});
