import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planCloudFallback } from "../../../components/edge/cloud-fallback";
import { postBinary } from "../helpers/binary";
import { buildRuntime, CLI, type ServerProcess, spawnServer, waitForUrl } from "../helpers/cli";
import {
  batchedModel,
  flakyModel,
  negateModel,
  repositoryWith,
  tempRepository,
} from "../helpers/models";
import { metricValue, postJson, waitForValue } from "../helpers/server";
import {
  closedPort,
  type StubEndpoint,
  startSilentEndpoint,
  startStubEndpoint,
} from "./helpers/stub-endpoint";

// Two real runtime processes on loopback: an "edge" whose models fall back to a "cloud" that
// requires a bearer token, plus plain HTTP stubs where a test must count or inspect what arrives.

const started: ServerProcess[] = [];
let cloud: ServerProcess;
let cloudUrl: string;
let edgeUrl: string;
let deadUrl: string;
let failing: StubEndpoint;
let recording: StubEndpoint;
let silent: Awaited<ReturnType<typeof startSilentEndpoint>>;
let stubTokenFile: string;

const CLOUD_TOKEN = "cloud-secret-1";
const row = [1, 2, 3, 4];
const request = (rows: number[][]) => ({
  inputs: [{ name: "x", shape: [rows.length, 4], datatype: "FP32", data: rows }],
});
const infer = (model: string, body: unknown, headers: Record<string, string> = {}) =>
  postJson(`${edgeUrl}/v2/models/${model}/infer`, body, headers);
const edgeMetric = (name: string, labels: Record<string, string>) =>
  metricValue(edgeUrl, name, labels);
const endpointRequests = (model: string, trigger: string, result: string) =>
  edgeMetric("hybridai_fallback_endpoint_requests_total", { model, trigger, result });

function spawnRuntime(root: string, extra: string[] = []): ServerProcess {
  const server = spawnServer("node", [
    CLI,
    ...["--model-repository", root, "--host", "127.0.0.1", "--port", "0"],
    ...["--log-level", "warn", "--intra-op-threads", "1", "--inter-op-threads", "1"],
    ...extra,
  ]);
  started.push(server);
  return server;
}

/** A model directory holding only a config.json: the model is absent on this device. */
async function writeAbsentModel(root: string, name: string, config: unknown): Promise<void> {
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, "config.json"), JSON.stringify(config));
}

beforeAll(async () => {
  await buildRuntime();
  const secrets = await tempRepository();
  const cloudTokenFile = path.join(secrets, "cloud-token");
  const tokenFile = path.join(secrets, "edge-token");
  stubTokenFile = path.join(secrets, "stub-token");
  await writeFile(cloudTokenFile, `${CLOUD_TOKEN}\n`);
  await writeFile(tokenFile, `${CLOUD_TOKEN}\n`);
  await writeFile(stubTokenFile, "stub-secret-1\n");

  cloud = spawnRuntime(
    await repositoryWith([
      negateModel("busy"),
      negateModel("ghost"),
      negateModel("ghost_badtoken"),
    ]),
    ["--auth-token-file", cloudTokenFile],
  );
  cloudUrl = await waitForUrl(cloud);
  deadUrl = `http://127.0.0.1:${await closedPort()}`;
  failing = await startStubEndpoint(() => ({
    status: 503,
    body: JSON.stringify({ error: "the cloud is overloaded too" }),
  }));
  recording = await startStubEndpoint(() => ({
    status: 200,
    body: JSON.stringify({
      model_name: "flaky_token",
      model_version: "7",
      outputs: [{ name: "y", datatype: "FP32", shape: [4], data: [9, 9, 9, 9] }],
    }),
  }));
  silent = await startSilentEndpoint();

  // The fallback block exactly as EdgeFleet writes it into config.json, the token path aside.
  const edgeFleetBlock = {
    ...planCloudFallback("test", {
      url: cloudUrl,
      tokenSecret: "unused",
      timeoutMs: 10_000,
      on: ["overload", "error"],
    }),
    token_file: tokenFile,
  };
  const flakyTo = (url: string, extra: Record<string, unknown> = {}) => ({
    fallback: { url, on: ["error"], ...extra },
  });
  const root = await repositoryWith([
    batchedModel("busy", {
      max_batch_size: 4,
      dynamic_batching: {
        max_queue_delay_microseconds: 2_500_000,
        preferred_batch_size: [4],
        default_queue_policy: { max_queue_size: 1 },
      },
      fallback: edgeFleetBlock,
    }),
    flakyModel("flaky_dead", flakyTo(deadUrl)),
    flakyModel("flaky_hang", flakyTo(silent.url, { timeout_ms: 300 })),
    flakyModel(
      "flaky_breaker",
      flakyTo(failing.url, {
        circuit_breaker: { window_size: 4, minimum_requests: 2, open_duration_ms: 600_000 },
      }),
    ),
    flakyModel("flaky_token", flakyTo(recording.url, { token_file: stubTokenFile })),
    flakyModel("flaky_open", {
      circuit_breaker: { window_size: 2, minimum_requests: 2, open_duration_ms: 600_000 },
      fallback: { url: recording.url, on: ["timeout"] },
    }),
  ]);
  await writeAbsentModel(root, "ghost", { fallback: edgeFleetBlock });
  const wrongToken = path.join(secrets, "wrong-token");
  await writeFile(wrongToken, "not-the-token");
  await writeAbsentModel(root, "ghost_badtoken", {
    fallback: { url: cloudUrl, token_file: wrongToken },
  });
  edgeUrl = await waitForUrl(spawnRuntime(root));
}, 300_000);

afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill("SIGKILL");
  await Promise.all([failing?.close(), recording?.close(), silent?.close()]);
});

describe("edge → cloud fallback", () => {
  it("forwards to the cloud when the edge model is overloaded (JSON and binary), and says so", async () => {
    const queued = infer("busy", request([row]));
    const pending = () => edgeMetric("nv_inference_pending_request_count", { model: "busy" });
    expect(await waitForValue(pending, 1)).toBe(1);
    const [json, binary] = await Promise.all([
      infer("busy", request([[5, 6, 7, 8]])),
      postBinary(
        `${edgeUrl}/v2/models/busy/infer`,
        {
          inputs: [
            { name: "x", shape: [1, 4], datatype: "FP32", parameters: { binary_data_size: 16 } },
          ],
          parameters: { binary_data_output: true },
        },
        [Buffer.from(new Float32Array([0.5, -1, 2, 3]).buffer)],
      ),
    ]);
    expect(json.status).toBe(200);
    expect(json.body.model_name).toBe("busy");
    expect(json.body.parameters).toEqual({
      fallback_endpoint: cloudUrl,
      fallback_trigger: "overload",
    });
    expect(json.body.outputs[0].data).toEqual([-5, -6, -7, -8]);

    expect(binary.status).toBe(200);
    expect(binary.json.parameters).toEqual({
      fallback_endpoint: cloudUrl,
      fallback_trigger: "overload",
    });
    expect(binary.json.outputs[0].parameters).toEqual({ binary_data_size: 16 });
    const values = new Float32Array(new Uint8Array(binary.binary).buffer);
    expect([...values]).toEqual([-0.5, 1, -2, -3]);

    const primary = await queued;
    expect(primary.status).toBe(200);
    expect(primary.body.parameters).toBeUndefined();
    expect(primary.body.outputs[0].data).toEqual([2, 4, 6, 8]);
    expect(await endpointRequests("busy", "overload", "success")).toBe(2);
    expect(await metricValue(cloudUrl, "nv_inference_request_success", { model: "busy" })).toBe(2);
  });

  it("forwards requests for a model that is absent on this device, and relays the cloud's 400", async () => {
    const absent = await infer("ghost", request([row]), { "x-request-id": "absent-1" });
    expect(absent.status).toBe(200);
    expect(absent.body.parameters).toEqual({
      fallback_endpoint: cloudUrl,
      fallback_trigger: "absent",
    });
    expect(absent.body.outputs[0].data).toEqual([-1, -2, -3, -4]);
    expect(absent.headers.get("x-request-id")).toBe("absent-1");

    const wrong = await infer("ghost", {
      inputs: [{ name: "nope", shape: [1, 4], datatype: "FP32", data: row }],
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(
      /model 'ghost' could not answer \(absent\) and its fallback endpoint http:\/\/127\.0\.0\.1:\d+ rejected the request: unexpected input 'nope'/,
    );
    expect(await endpointRequests("ghost", "absent", "rejected")).toBe(1);
  });

  it("answers with the edge's own error when the cloud refuses the token", async () => {
    const response = await infer("ghost_badtoken", request([row]));
    expect(response.status).toBe(503);
    expect(response.body.error).toMatch(
      /model 'ghost_badtoken' is not ready .*; the fallback endpoint http:\/\/127\.0\.0\.1:\d+ could not answer instead: it answered 401: this endpoint needs 'Authorization: Bearer <token>'/,
    );
  });

  it("answers with the edge's own error when the cloud is down, and when it hangs (after timeout_ms)", async () => {
    const down = await infer("flaky_dead", request([row, row]));
    expect(down.status).toBe(500);
    expect(down.body.error).toMatch(
      new RegExp(
        `model execution failed[\\s\\S]*; the fallback endpoint ${deadUrl} could not answer instead: it failed: ECONNREFUSED`,
      ),
    );
    expect(await endpointRequests("flaky_dead", "error", "error")).toBe(1);

    const hung = await infer("flaky_hang", request([row, row]));
    expect(hung.status).toBe(500);
    expect(hung.body.error).toMatch(
      /model execution failed[\s\S]*could not answer instead: it failed: no answer within timeout_ms 300/,
    );
    expect(silent.connections()).toBe(1);
    expect(await endpointRequests("flaky_hang", "error", "timeout")).toBe(1);
    // The local model still answers what it can.
    const healthy = await infer("flaky_hang", request([row]));
    expect(healthy.status).toBe(200);
    expect(healthy.body.parameters).toBeUndefined();
  });

  it("stops calling a failing cloud once the endpoint's breaker opens", async () => {
    const statuses: number[] = [];
    const errors: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await infer("flaky_breaker", request([row, row]));
      statuses.push(response.status);
      errors.push(response.body.error);
    }
    expect(statuses).toEqual([500, 500, 500, 500, 500, 500]);
    expect(failing.received.length).toBe(2);
    expect(errors[0]).toMatch(/it answered 503: the cloud is overloaded too/);
    expect(errors[5]).toMatch(/its circuit breaker is open after repeated failures/);
    expect(await endpointRequests("flaky_breaker", "error", "error")).toBe(2);
    expect(await endpointRequests("flaky_breaker", "error", "circuit_open")).toBe(4);
    expect(
      await edgeMetric("hybridai_fallback_endpoint_circuit_breaker_state", {
        model: "flaky_breaker",
      }),
    ).toBe(1);
  });

  it("sends the body as it came, the request id and the token, re-reading the token file when it changes", async () => {
    const body = JSON.stringify(request([row, row]));
    const first = await infer("flaky_token", body, { "x-request-id": "tok-1" });
    expect(first.status).toBe(200);
    expect(first.body.model_version).toBe("7");
    expect(first.body.parameters).toEqual({
      fallback_endpoint: recording.url,
      fallback_trigger: "error",
    });
    expect(recording.received.length).toBe(1);
    const [sent] = recording.received;
    expect(sent.url).toBe("/v2/models/flaky_token/infer");
    expect(sent.body.toString("utf8")).toBe(body);
    expect(sent.headers.authorization).toBe("Bearer stub-secret-1");
    expect(sent.headers["x-request-id"]).toBe("tok-1");
    expect(sent.headers["hybridai-forwarded"]).toBe("fallback");

    await writeFile(stubTokenFile, "stub-secret-2\n");
    expect((await infer("flaky_token", body)).status).toBe(200);
    expect(recording.received.length).toBe(2);
    expect(recording.received[1].headers.authorization).toBe("Bearer stub-secret-2");
  });

  it("forwards only the listed conditions, and everything while the model's breaker is open", async () => {
    const before = recording.received.length;
    for (let i = 0; i < 2; i++) {
      const failed = await infer("flaky_open", request([row, row]));
      expect(failed.status).toBe(500);
      expect(failed.body.error).not.toMatch(/fallback endpoint/);
    }
    expect(recording.received.length).toBe(before);
    const open = await infer("flaky_open", request([row]));
    expect(open.status).toBe(200);
    expect(open.body.parameters).toEqual({
      fallback_endpoint: recording.url,
      fallback_trigger: "circuit_open",
    });
    expect(recording.received.length).toBe(before + 1);
    expect(await edgeMetric("hybridai_circuit_breaker_state", { model: "flaky_open" })).toBe(1);
  });

  it("never forwards a request another runtime forwarded", async () => {
    const before = recording.received.length;
    const response = await infer("flaky_token", request([row, row]), {
      "hybridai-forwarded": "fallback",
    });
    expect(response.status).toBe(500);
    expect(response.body.error).toMatch(/model execution failed/);
    expect(response.body.error).not.toMatch(/fallback endpoint/);
    expect(recording.received.length).toBe(before);
  });

  it("answers an absent model's request with the edge's own 503 once the cloud process is gone", async () => {
    cloud.child.kill("SIGKILL");
    await cloud.exited;
    const response = await infer("ghost", request([row]));
    expect(response.status).toBe(503);
    expect(response.body.error).toMatch(
      /model 'ghost' is not ready .*; the fallback endpoint http:\/\/127\.0\.0\.1:\d+ could not answer instead: it failed: (ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)/,
    );
  });
});
