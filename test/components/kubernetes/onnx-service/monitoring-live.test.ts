import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { mlpDemo } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { runProfileCommand } from "@hybridai/serving-runtime/src/observability/profile-command";
import { kubernetes } from "pulumi-hybridai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRuntime,
  CLI,
  type ServerProcess,
  spawnServer,
  waitForUrl,
} from "../../../serving-runtime/helpers/cli";
import { flakyModel, negateModel, repositoryWith } from "../../../serving-runtime/helpers/models";
import { postJson } from "../../../serving-runtime/helpers/server";
import { parsePromQL } from "./promql";

const TOKEN = "live-scrape-token-0c7e";
let server: ServerProcess;
let url: string;
/** Series names of a live /metrics page, after traffic that exercises every feature. */
let exported: Set<string>;

const four = (rows: number, offset: number) => ({
  inputs: [
    {
      name: "x",
      shape: [rows, 4],
      datatype: "FP32",
      data: Array.from({ length: rows * 4 }, (_, i) => ((i * 7 + offset) % 13) / 3),
    },
  ],
});

beforeAll(async () => {
  await buildRuntime();
  // ranker: fails unless a request has one row (then the fallback answers), caches, has a
  // breaker, histograms its output values and gets a baseline; scorer: a softmax classifier.
  const root = await repositoryWith([
    flakyModel("ranker", {
      response_cache: { enable: true },
      circuit_breaker: { minimum_requests: 1000, window_size: 1000 },
      fallback: { model: "ranker-small", on: ["error"] },
      output_distribution: [{ name: "y", kind: "value", buckets: [0, 1, 2, 5] }],
    }),
    negateModel("ranker-small"),
    // fails unless one row, then forwards to a remote endpoint that refuses connections
    flakyModel("ranker-remote", { fallback: { url: "http://127.0.0.1:9", on: ["error"] } }),
    {
      ...mlpDemo(),
      name: "scorer",
      graph: { ...mlpDemo().graph, name: "scorer" },
      config: {
        ...mlpDemo().config,
        output_distribution: [{ name: "probabilities", kind: "top1_score" }],
      },
    },
  ]);
  const dir = await mkdtemp(path.join(tmpdir(), "hybridai-live-"));
  const sample = path.join(dir, "sample.jsonl");
  await writeFile(
    sample,
    Array.from({ length: 120 }, (_, i) => JSON.stringify(four(1, i))).join("\n"),
  );
  const quiet = { out: () => undefined, err: () => undefined };
  expect(
    await runProfileCommand(
      ["--model-repository", root, "--model", "ranker", "--data", sample],
      quiet,
    ),
  ).toBe(0);
  const tokens = path.join(dir, "tokens.json");
  const sha = createHash("sha256").update(TOKEN).digest("hex");
  await writeFile(
    tokens,
    JSON.stringify({
      clients: [{ name: "app", token_sha256: sha, rate_per_second: 1000, daily_quota: 100000 }],
    }),
  );
  server = spawnServer("node", [
    CLI,
    "--model-repository",
    root,
    "--port",
    "0",
    "--log-level",
    "warn",
    "--tokens-file",
    tokens,
    "--audit-log",
    path.join(dir, "audit.jsonl"),
    "--drift-window",
    "20",
    // The dashboard's per-client panels read client-labelled series, which are opt-in.
    "--metrics-client-labels",
    "true",
  ]);
  url = await waitForUrl(server);
  const auth = { authorization: `Bearer ${TOKEN}` };
  for (let i = 0; i < 25; i++) {
    expect((await postJson(`${url}/v2/models/ranker/infer`, four(1, i % 5), auth)).status).toBe(
      200,
    );
  }
  expect((await postJson(`${url}/v2/models/ranker/infer`, four(2, 0), auth)).status).toBe(200);
  expect(
    (await postJson(`${url}/v2/models/ranker-remote/infer`, four(2, 0), auth)).status,
  ).toBeGreaterThanOrEqual(500);
  const scorer = {
    inputs: [{ name: "features", shape: [2, 4], datatype: "FP32", data: [1, 2, 3, 4, 0, 0, 1, 0] }],
  };
  expect((await postJson(`${url}/v2/models/scorer/infer`, scorer, auth)).status).toBe(200);
  const page = await (await fetch(`${url}/metrics`)).text();
  exported = new Set(
    page
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/[{ ]/)[0]),
  );
}, 300_000);

afterAll(() => {
  if (server && server.child.exitCode === null) server.child.kill("SIGTERM");
});

function plannedQueries(): { source: string; expr: string }[] {
  const plan = kubernetes.planOnnxService("ranker", {
    namespace: "serving",
    model: { uri: "s3://models-bucket/models/ranker" },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
  });
  if (!plan.alertRules || !plan.dashboard) throw new Error("rules and dashboard are on by default");
  const groups = (
    plan.alertRules.spec as { groups: { rules: { alert: string; expr: string }[] }[] }
  ).groups;
  const dashboard = JSON.parse(
    Object.values((plan.dashboard.data ?? {}) as Record<string, string>)[0],
  ) as { panels: { title: string; targets: { expr: string }[] }[] };
  return [
    ...groups.flatMap((group) =>
      group.rules.map((rule) => ({ source: rule.alert, expr: rule.expr })),
    ),
    ...dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ source: panel.title, expr: target.expr })),
    ),
  ];
}

describe("the shipped rules and dashboard against a live runtime", () => {
  it("exercised every feature the queries read", () => {
    for (const name of [
      "hybridai_input_drift_psi",
      "hybridai_output_value_bucket",
      "hybridai_output_top1_score_bucket",
      "hybridai_fallback_requests_total",
      "hybridai_fallback_endpoint_requests_total",
      "hybridai_fallback_endpoint_circuit_breaker_state",
      "hybridai_client_requests_total",
      "hybridai_audit_records_total",
    ]) {
      expect(exported.has(name), name).toBe(true);
    }
  });

  it("query only series the runtime exports, in PromQL that parses", () => {
    const queries = plannedQueries();
    expect(queries.length).toBeGreaterThanOrEqual(6 + 12);
    const read = new Set<string>();
    for (const { source, expr } of queries) {
      const { metrics, errors } = parsePromQL(expr);
      expect(errors, `${source}: ${expr}`).toEqual([]);
      expect(metrics.length, `${source}: ${expr}`).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(
          exported.has(metric),
          `${source} reads ${metric}, which /metrics does not export`,
        ).toBe(true);
        read.add(metric);
      }
    }
    expect(read.size).toBeGreaterThanOrEqual(15);
    expect(exported.has("hybridai_no_such_metric")).toBe(false);
  });
});
