import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { kubernetes } from "pulumi-hybridai";
import { describe, expect, it } from "vitest";

/**
 * The shipped rules run by Prometheus's own rule engine: `promtool check rules`, and
 * `promtool test rules` with synthetic series under which each alert must fire (with its
 * annotations rendered) and, under healthy series, stay silent. promtool comes from Debian's
 * `prometheus` package (`apt-get install prometheus`); without it these tests are skipped, and
 * the rest of the suite still parses every expression with Prometheus's grammar.
 */
const promtool = (() => {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const S = 'namespace="serving",model="ranker",pod="ranker-1"';
const BUCKETS = [
  "0.0005",
  "0.001",
  "0.0025",
  "0.005",
  "0.01",
  "0.025",
  "0.05",
  "0.1",
  "0.25",
  "0.5",
  "1",
  "2.5",
  "5",
  "10",
  "+Inf",
];

/** Bucket series of a histogram whose observations (per minute) all fall in the bucket `le`. */
function latencySeries(le: string, perMinute: number) {
  const from = BUCKETS.indexOf(le);
  return BUCKETS.map((bound, i) => ({
    series: `hybridai_request_duration_seconds_bucket{${S},le="${bound}"}`,
    values: i >= from ? `0+${perMinute}x40` : "0x40",
  }));
}

const unhealthy = [
  { series: `nv_inference_request_success{${S},version="1"}`, values: "0+100x40" },
  { series: `nv_inference_request_failure{${S},version="1",reason="BACKEND"}`, values: "0+10x40" },
  ...latencySeries("2.5", 110),
  { series: `nv_inference_pending_request_count{${S},version="1"}`, values: "90x40" },
  { series: `hybridai_queue_capacity{${S},version="1"}`, values: "100x40" },
  { series: `hybridai_input_drift_psi{${S},version="1",input="features"}`, values: "0.4x40" },
  { series: `hybridai_circuit_breaker_state{${S}}`, values: "1x40" },
  {
    series: `hybridai_fallback_requests_total{${S},fallback_model="small",trigger="error"}`,
    values: "0+22x40",
  },
  // relayed from the remote endpoint: counted; failed forwards: not
  {
    series: `hybridai_fallback_endpoint_requests_total{${S},trigger="error",result="success"}`,
    values: "0+11x40",
  },
  {
    series: `hybridai_fallback_endpoint_requests_total{${S},trigger="error",result="error"}`,
    values: "0+50x40",
  },
];

/** Only a remote fallback endpoint, no fallback model: 20 relayed of 110 a minute. */
const remoteOnly = [
  { series: `nv_inference_request_success{${S},version="1"}`, values: "0+100x40" },
  { series: `nv_inference_request_failure{${S},version="1",reason="BACKEND"}`, values: "0+10x40" },
  {
    series: `hybridai_fallback_endpoint_requests_total{${S},trigger="error",result="success"}`,
    values: "0+20x40",
  },
];

const healthy = [
  { series: `nv_inference_request_success{${S},version="1"}`, values: "0+100x40" },
  { series: `nv_inference_request_failure{${S},version="1",reason="BACKEND"}`, values: "0+1x40" },
  ...latencySeries("0.01", 101),
  { series: `nv_inference_pending_request_count{${S},version="1"}`, values: "10x40" },
  { series: `hybridai_queue_capacity{${S},version="1"}`, values: "100x40" },
  { series: `hybridai_input_drift_psi{${S},version="1",input="features"}`, values: "0.03x40" },
  { series: `hybridai_circuit_breaker_state{${S}}`, values: "0x40" },
  {
    series: `hybridai_fallback_requests_total{${S},fallback_model="small",trigger="error"}`,
    values: "0+1x40",
  },
];

const where = "model ranker in serving";
const expected: Record<
  string,
  { labels: Record<string, string>; annotations: Record<string, string> }
> = {
  HybridaiHighErrorRatio: {
    labels: { severity: "critical" },
    annotations: {
      summary: `Inference requests of ${where} are failing`,
      // 10 failed of 110 a minute
      description:
        "9.091% of requests failed over 5m (threshold 0.05); see nv_inference_request_failure by reason.",
    },
  },
  HybridaiHighP99Latency: {
    labels: { severity: "warning" },
    annotations: {
      summary: `99th-percentile latency of ${where} is high`,
      // every request in (1 s, 2.5 s]: the 0.99 quantile interpolates to 1 + 0.99 × 1.5 = 2.485 s
      description: "p99 request time is 2.485s over 5m (threshold 1000 ms).",
    },
  },
  HybridaiQueueSaturated: {
    labels: { severity: "warning" },
    annotations: {
      summary: `A queue of ${where} is nearly full`,
      description:
        "The fullest pod queue is at 90% (threshold 0.8); requests beyond it get 503. Add replicas or capacity.",
    },
  },
  HybridaiInputDrift: {
    labels: { severity: "warning", input: "features" },
    annotations: {
      summary: `Input features of ${where} drifted from its baseline`,
      description:
        "Population stability index 0.4 (threshold 0.25) against baseline.json: the traffic no longer looks like the data the baseline was profiled from.",
    },
  },
  HybridaiCircuitBreakerOpen: {
    labels: { severity: "critical" },
    annotations: {
      summary: `The circuit breaker of ${where} is open`,
      description:
        "Requests are refused (503) or answered by the fallback model after repeated failures or slow responses.",
    },
  },
  HybridaiHighFallbackRatio: {
    labels: { severity: "warning" },
    annotations: {
      summary: `The fallback model answers many requests of ${where}`,
      // 22 by the fallback model and 11 by the endpoint, of 110 a minute
      description:
        "30% of requests were answered by the fallback model or endpoint over 5m (threshold 0.1).",
    },
  },
};

async function rulesFile(): Promise<{ dir: string; rules: string }> {
  const plan = kubernetes.planOnnxService("ranker", {
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker" },
    serviceMonitor: {},
  });
  const dir = await mkdtemp(path.join(tmpdir(), "hybridai-promtool-"));
  const rules = path.join(dir, "rules.json");
  await writeFile(rules, JSON.stringify(plan.alertRules?.spec));
  return { dir, rules };
}

describe.skipIf(!promtool)("the shipped alerting rules under promtool", () => {
  it("pass promtool check rules", async () => {
    const { rules } = await rulesFile();
    const { stdout } = await promisify(execFile)("promtool", ["check", "rules", rules]);
    expect(stdout).toMatch(/SUCCESS: 6 rules found/);
  });

  it("fire on unhealthy series with their annotations, and stay silent on healthy ones", async () => {
    const { dir, rules } = await rulesFile();
    const names = Object.keys(expected);
    expect(names).toHaveLength(6);
    const tests = {
      rule_files: [rules],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: unhealthy,
          alert_rule_test: names.map((alertname) => ({
            eval_time: "35m",
            alertname,
            exp_alerts: [
              {
                exp_labels: expected[alertname].labels,
                exp_annotations: expected[alertname].annotations,
              },
            ],
          })),
        },
        {
          interval: "1m",
          input_series: remoteOnly,
          alert_rule_test: [
            {
              eval_time: "35m",
              alertname: "HybridaiHighFallbackRatio",
              exp_alerts: [
                {
                  exp_labels: expected.HybridaiHighFallbackRatio.labels,
                  exp_annotations: {
                    ...expected.HybridaiHighFallbackRatio.annotations,
                    description:
                      "18.18% of requests were answered by the fallback model or endpoint over 5m (threshold 0.1).",
                  },
                },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: healthy,
          alert_rule_test: names.map((alertname) => ({
            eval_time: "35m",
            alertname,
            exp_alerts: [],
          })),
        },
      ],
    };
    const file = path.join(dir, "tests.json");
    await writeFile(file, JSON.stringify(tests));
    const run = await promisify(execFile)("promtool", ["test", "rules", file]).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${run.stdout}${run.stderr}`).toMatch(/SUCCESS/);
  });
});
