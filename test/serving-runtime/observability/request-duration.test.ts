import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityModel, repositoryWith } from "../helpers/models";
import { histogramOf, sampleValue, scrape } from "../helpers/prometheus-text";
import { postJson, startTestServer } from "../helpers/server";

let server: RunningServer;
const labels = { model: "identity_fp32", version: "1" };

beforeAll(async () => {
  server = await startTestServer(await repositoryWith([identityModel("FP32")]), {
    maxQueueSize: 37,
  });
});

afterAll(async () => {
  await server.shutdown(5000);
});

const infer = (data: unknown[]) =>
  postJson(`${server.url}/v2/models/identity_fp32/infer`, {
    inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data }],
  });

describe("request duration histogram", () => {
  it("counts every request, failures included, in cumulative buckets that agree with the counters", async () => {
    for (let i = 0; i < 12; i++) expect((await infer([i, 2, 3])).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await infer([1, 2])).status).toBe(400);
    const page = await scrape(server.url);
    expect(page.types.get("hybridai_request_duration_seconds")).toBe("histogram");
    const histogram = histogramOf(page, "hybridai_request_duration_seconds", labels);
    expect(histogram.count).toBe(15);
    expect(histogram.buckets).toHaveLength(15);
    expect(histogram.buckets.map(([le]) => le)).toEqual([
      0.0005,
      0.001,
      0.0025,
      0.005,
      0.01,
      0.025,
      0.05,
      0.1,
      0.25,
      0.5,
      1,
      2.5,
      5,
      10,
      Number.POSITIVE_INFINITY,
    ]);
    for (let i = 1; i < histogram.buckets.length; i++) {
      expect(histogram.buckets[i][1]).toBeGreaterThanOrEqual(histogram.buckets[i - 1][1]);
    }
    expect(histogram.buckets.at(-1)?.[1]).toBe(15);
    const success = sampleValue(page, "nv_inference_request_success", labels);
    const failure = sampleValue(page, "nv_inference_request_failure", {
      ...labels,
      reason: "OTHER",
    });
    expect(success + failure).toBe(histogram.count);
    // Same requests, same clock: the histogram's sum is the microsecond counter in seconds.
    const totalUs = sampleValue(page, "nv_inference_request_duration_us", labels);
    expect(histogram.sum).toBeGreaterThan(0);
    expect(histogram.sum * 1e6).toBeCloseTo(totalUs, 0);
  });

  it("exports the queue bound next to the pending count", async () => {
    const page = await scrape(server.url);
    expect(sampleValue(page, "hybridai_queue_capacity", labels)).toBe(37);
    expect(sampleValue(page, "nv_inference_pending_request_count", labels)).toBe(0);
  });
});
