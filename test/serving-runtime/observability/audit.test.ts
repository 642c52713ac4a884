import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuditLog } from "@hybridai/serving-runtime/src/observability/audit/audit-log";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { Registry } from "prom-client";
import { beforeAll, describe, expect, it } from "vitest";
import { flakyModel, identityModel, negateModel, repositoryWith } from "../helpers/models";
import { parseExposition, samplesOf } from "../helpers/prometheus-text";
import { type Json, postJson, startTestServer } from "../helpers/server";
import { startStubEndpoint } from "../resilience/helpers/stub-endpoint";

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");
const TOKENS = { web: "tok-web-4f1a9c2e", slow: "tok-slow-77b3d0aa" };
const REQUIRED_KEYS = [
  "time",
  "request_id",
  "protocol",
  "client",
  "model",
  "version",
  "input_digest",
  "input_bytes",
  "outputs",
  "latency_ms",
  "status",
  "outcome",
  "cache",
  "fallback",
];

let dir: string;
let root: string;
let tokensFile: string;

async function readLines(file: string): Promise<Json[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  root = await repositoryWith([
    { ...identityModel("FP32"), config: { response_cache: { enable: true } } },
    flakyModel("flaky", { fallback: { model: "neg", on: ["error"] } }),
    negateModel("neg"),
  ]);
  dir = await mkdtemp(path.join(tmpdir(), "hybridai-audit-"));
  tokensFile = path.join(dir, "tokens.json");
  await writeFile(
    tokensFile,
    JSON.stringify({
      clients: [
        { name: "web", token_sha256: sha(TOKENS.web) },
        { name: "slow", token_sha256: sha(TOKENS.slow), rate_per_second: 0.001, burst: 1 },
      ],
    }),
  );
});

describe("audit log over real HTTP", () => {
  let server: RunningServer;
  let file: string;
  let records: Json[];
  const sent: { id: string; body: string }[] = [];

  const call = async (id: string, model: string, body: unknown, token?: string) => {
    const text = JSON.stringify(body);
    sent.push({ id, body: text });
    return postJson(`${server.url}/v2/models/${model}/infer`, text, {
      "x-request-id": id,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
  };
  const x = (data: number[]) => ({
    inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data }],
  });
  const four = (rows: number) => ({
    inputs: [
      {
        name: "x",
        shape: [rows, 4],
        datatype: "FP32",
        data: Array.from({ length: rows * 4 }, (_, i) => i),
      },
    ],
  });

  beforeAll(async () => {
    file = path.join(dir, "logs", "audit.jsonl");
    server = await startTestServer(root, { tokensFile, auditLog: file });
    expect((await call("r-miss", "identity_fp32", x([1, 2, 3]), TOKENS.web)).status).toBe(200);
    expect((await call("r-hit", "identity_fp32", x([1, 2, 3]), TOKENS.web)).status).toBe(200);
    expect((await call("r-bad", "identity_fp32", x([1, 2]), TOKENS.web)).status).toBe(400);
    expect((await call("r-fallback", "flaky", four(2), TOKENS.web)).status).toBe(200);
    expect((await call("r-anon", "identity_fp32", x([1, 2, 3]))).status).toBe(401);
    expect((await call("r-unknown", "nope", x([1, 2, 3]), TOKENS.web)).status).toBe(404);
    expect((await call("r-slow-1", "neg", four(1), TOKENS.slow)).status).toBe(200);
    expect((await call("r-slow-2", "neg", four(1), TOKENS.slow)).status).toBe(429);
    await server.shutdown(5000); // the drain flushes the log
    records = await readLines(file);
  });

  it("writes one complete record per request, in order", () => {
    expect(records.map((r) => r.request_id)).toEqual(sent.map((s) => s.id));
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(
        [...REQUIRED_KEYS, ...(record.outcome === "error" ? ["error"] : [])].sort(),
      );
      expect(Number.isNaN(Date.parse(record.time))).toBe(false);
      expect(record.latency_ms).toBeGreaterThan(0);
    }
  });

  it("records who asked what and how it was answered", () => {
    const byId = new Map(records.map((r) => [r.request_id, r]));
    const digestOf = (id: string) => `sha256:${sha(sent.find((s) => s.id === id)?.body ?? "")}`;
    expect(byId.get("r-miss")).toMatchObject({
      protocol: "http",
      client: "web",
      model: "identity_fp32",
      version: "1",
      input_digest: digestOf("r-miss"),
      status: 200,
      outcome: "success",
      cache: "miss",
      fallback: null,
      outputs: [{ name: "y", datatype: "FP32", shape: [1, 3], min: 1, max: 3, mean: 2, argmax: 2 }],
    });
    expect(byId.get("r-hit")).toMatchObject({ cache: "hit", input_digest: digestOf("r-miss") });
    expect(byId.get("r-bad")).toMatchObject({
      status: 400,
      outcome: "error",
      outputs: [],
      input_digest: digestOf("r-bad"),
    });
    expect(byId.get("r-bad").error).toMatch(/input 'x'/);
    expect(byId.get("r-fallback")).toMatchObject({
      model: "flaky",
      status: 200,
      fallback: { model: "neg", version: "1", trigger: "error" },
      outputs: [{ name: "y", shape: [2, 4], min: -7, max: 0, mean: -3.5, argmax: 0 }],
    });
    expect(byId.get("r-anon")).toMatchObject({ client: null, status: 401, version: null });
    expect(byId.get("r-unknown")).toMatchObject({ model: "nope", version: null, status: 404 });
    expect(byId.get("r-slow-1")).toMatchObject({ client: "slow", status: 200 });
    expect(byId.get("r-slow-2")).toMatchObject({ client: "slow", status: 429, outcome: "error" });
    expect(byId.get("r-slow-2").error).toMatch(/rate limit/);
    expect(byId.get("r-miss")).not.toHaveProperty("request_body");
  });

  it("never contains a token", async () => {
    const text = await readFile(file, "utf8");
    expect(text.length).toBeGreaterThan(1000);
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(sha(token));
  });
});

describe("audit sampling and payloads", () => {
  it("audits about the sample rate's share, and copies bodies up to the cap only when asked", async () => {
    const file = path.join(dir, "sampled.jsonl");
    const server = await startTestServer(root, {
      auditLog: file,
      auditSampleRate: 0.5,
      auditPayloadBytes: 40,
    });
    const body = { inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [7, 8, 9] }] };
    for (let i = 0; i < 200; i++) {
      const response = await postJson(`${server.url}/v2/models/identity_fp32/infer`, body);
      expect(response.status).toBe(200);
    }
    const page = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    await server.shutdown(5000);
    const records = await readLines(file);
    // Binomial(200, 0.5): outside 50–150 with probability below 1e-12.
    expect(records.length).toBeGreaterThan(50);
    expect(records.length).toBeLessThan(150);
    expect(samplesOf(page, "hybridai_audit_records_total")[0]?.value).toBe(records.length);
    const text = JSON.stringify(body);
    expect(records[0].request_body).toEqual({
      text: text.slice(0, 40),
      encoding: "utf8",
      bytes: text.length,
      truncated: true,
    });
    expect(records[0].response_body.truncated).toBe(true);
    expect(records[0].response_body.text).toBe('{"model_name":"identity_fp32","model_ver');
  });
});

/**
 * Audits `count` requests with a 1,000-byte body each through a log of `bufferBytes`, and reads
 * back the written and dropped counters and the lines in the file.
 */
async function flood(name: string, bufferBytes: number, count: number) {
  const registry = new Registry();
  const file = path.join(dir, name);
  const log = await AuditLog.open(
    { destination: file, sampleRate: 1, bufferBytes, payloadBytes: 1000 },
    registry,
  );
  const body = Buffer.alloc(1000, "a");
  for (let i = 0; i < count; i++) {
    const facts = log.begin(`id-${i}`);
    if (!facts) throw new Error("sample rate 1 audits every request");
    facts.body = body;
    log.end(facts, { status: 200 });
  }
  await log.close();
  const page = parseExposition(await registry.metrics());
  return {
    written: samplesOf(page, "hybridai_audit_records_total")[0]?.value,
    dropped: samplesOf(page, "hybridai_audit_dropped_total")[0]?.value,
    lines: await readLines(file),
  };
}

describe("the audit log's bounded buffer", () => {
  it("drops and counts what does not fit instead of holding up the caller", async () => {
    const { written, dropped, lines } = await flood("bounded.jsonl", 4096, 100);
    expect(written).toBe(lines.length);
    expect(dropped).toBeGreaterThan(0);
    expect((written ?? 0) + (dropped ?? 0)).toBe(100);
    // Every line that was written is whole.
    for (const line of lines) expect(line.request_body.bytes).toBe(1000);
  });

  it("counts every record of a dropped chunk when records go out several to a write", async () => {
    const { written, dropped, lines } = await flood("chunked.jsonl", 65_536, 1000);
    expect(written).toBe(lines.length);
    expect(lines.length).toBeGreaterThan(10);
    expect(dropped).toBeGreaterThan(0);
    expect((written ?? 0) + (dropped ?? 0)).toBe(1000);
    for (const line of lines) expect(line.request_body.bytes).toBe(1000);
  });

  it("refuses a destination it cannot open, naming it", async () => {
    const underAFile = path.join(tokensFile, "audit.jsonl");
    await expect(
      AuditLog.open(
        { destination: underAFile, sampleRate: 1, bufferBytes: 4096, payloadBytes: 0 },
        new Registry(),
      ),
    ).rejects.toThrow(`--audit-log: cannot open '${underAFile}'`);
  });
});

describe("audit records and client limits on the fallback paths", () => {
  it("records an absent model answered by its fallback, and a remote endpoint's answer", async () => {
    const remote = await startStubEndpoint(() => ({
      status: 200,
      body: JSON.stringify({
        model_name: "flaky_remote",
        model_version: "3",
        outputs: [{ name: "y", datatype: "FP32", shape: [2, 4], data: [9, 9, 9, 9, 9, 9, 9, 9] }],
      }),
    }));
    const repo = await repositoryWith([
      negateModel("backup"),
      flakyModel("flaky_remote", { fallback: { url: remote.url, on: ["error"] } }),
    ]);
    await mkdir(path.join(repo, "missing"), { recursive: true });
    await writeFile(
      path.join(repo, "missing", "config.json"),
      JSON.stringify({ fallback: { model: "backup", on: ["error"] } }),
    );
    const limited = path.join(dir, "limited-tokens.json");
    await writeFile(
      limited,
      JSON.stringify({
        clients: [
          { name: "web", token_sha256: sha(TOKENS.web), models: ["flaky_remote", "missing"] },
          { name: "slow", token_sha256: sha(TOKENS.slow), rate_per_second: 0.001, burst: 1 },
        ],
      }),
    );
    const file = path.join(dir, "fallbacks.jsonl");
    const server = await startTestServer(repo, {
      tokensFile: limited,
      auditLog: file,
      strictReadiness: false,
    });
    const rows = (n: number) => ({
      inputs: [{ name: "x", shape: [n, 4], datatype: "FP32", data: Array(n * 4).fill(1) }],
    });
    const call = (id: string, model: string, n: number, token: string) =>
      postJson(`${server.url}/v2/models/${model}/infer`, JSON.stringify(rows(n)), {
        "x-request-id": id,
        authorization: `Bearer ${token}`,
      });
    try {
      expect((await call("a-absent", "missing", 1, TOKENS.web)).status).toBe(200);
      expect((await call("a-remote", "flaky_remote", 2, TOKENS.web)).status).toBe(200);
      // The allow-list and the rate limit hold for a model that is only answered by fallback.
      expect((await call("a-forbidden", "backup", 1, TOKENS.web)).status).toBe(403);
      expect((await call("a-slow-1", "missing", 1, TOKENS.slow)).status).toBe(200);
      const refused = await call("a-slow-2", "missing", 1, TOKENS.slow);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await server.shutdown(5000);
      await remote.close();
    }
    expect(remote.received).toHaveLength(1);
    const byId = new Map((await readLines(file)).map((r) => [r.request_id, r]));
    expect(byId.size).toBe(5);
    expect(byId.get("a-absent")).toMatchObject({
      client: "web",
      model: "missing",
      version: null,
      status: 200,
      fallback: { model: "backup", version: "1", trigger: "absent" },
      outputs: [{ name: "y", shape: [1, 4], min: -1, max: -1 }],
    });
    expect(byId.get("a-remote")).toMatchObject({
      client: "web",
      model: "flaky_remote",
      version: "1",
      status: 200,
      fallback: { endpoint: remote.url, trigger: "error" },
      outputs: [],
    });
    expect(byId.get("a-forbidden")).toMatchObject({ status: 403, outcome: "error" });
    expect(byId.get("a-slow-2")).toMatchObject({ client: "slow", model: "missing", status: 429 });
    const text = await readFile(file, "utf8");
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
  });
});
