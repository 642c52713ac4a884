import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../../serving-runtime/src/server";
import { freePort } from "../helpers/free-port";
import { TestGrpcClient } from "../helpers/grpc-client";
import { batchedModel, repositoryWith } from "../helpers/models";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver";
import {
  explicitModelControl,
  getJson,
  type ModelControlAccess,
  postJson,
  startTestServer,
} from "../helpers/server";

// Triton's trace extension over HTTP and gRPC: reading settings takes the inference access,
// changing them is model control (explicit mode and the repository token); the settings decide
// which requests reach the OTLP receiver.

let receiver: OtlpReceiver;
let traced: RunningServer;
let untraced: RunningServer;
let control: ModelControlAccess;
let grpc: TestGrpcClient;
let sent = 0;

const body = { inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] }] };

/** Sends one request per id, then a marker to `beacon` (always traced) and returns which ids were traced. */
async function tracedIds(model: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => `setting-${++sent}`);
  for (const id of ids) {
    const answer = await postJson(`${traced.url}/v2/models/${model}/infer`, body, {
      "x-request-id": id,
    });
    expect(answer.status).toBe(200);
  }
  const beacon = `setting-${++sent}`;
  await postJson(`${traced.url}/v2/models/beacon/infer`, body, { "x-request-id": beacon });
  const spans = await receiver.waitFor((all) =>
    all.some((span) => span.attributes["hybridai.request_id"] === beacon),
  );
  return ids.filter((id) => spans.some((span) => span.attributes["hybridai.request_id"] === id));
}

const setting = (path: string, change: unknown, headers = control.headers) =>
  postJson(`${traced.url}${path}`, change, headers);

beforeAll(async () => {
  process.env.OTEL_BSP_SCHEDULE_DELAY = "20";
  receiver = await startOtlpReceiver();
  control = await explicitModelControl();
  const root = await repositoryWith([
    batchedModel("rated", {}),
    batchedModel("counted", {}),
    batchedModel("beacon", {}),
  ]);
  const grpcPort = await freePort();
  traced = await startTestServer(root, {
    ...control.options,
    grpcPort,
    tracing: {
      tracesUrl: `${receiver.url}/v1/traces`,
      settings: { trace_level: "TIMESTAMPS", trace_rate: 1, trace_count: -1, log_frequency: 0 },
      parentBased: true,
    },
  });
  untraced = await startTestServer(root);
  grpc = new TestGrpcClient(`127.0.0.1:${grpcPort}`);
}, 120_000);

afterAll(async () => {
  grpc?.raw.close();
  await Promise.all([traced?.shutdown(5000), untraced?.shutdown(5000)]);
  await receiver?.close();
});

describe("trace extension over HTTP", () => {
  it("is listed in /v2's extensions and reads the global and per-model settings", async () => {
    expect((await getJson(`${traced.url}/v2`)).extensions).toContain("trace");
    const expected = {
      trace_level: ["TIMESTAMPS"],
      trace_rate: "1",
      trace_count: "-1",
      log_frequency: "0",
      trace_mode: "opentelemetry",
    };
    expect(await getJson(`${traced.url}/v2/trace/setting`)).toEqual(expected);
    expect(await getJson(`${traced.url}/v2/models/beacon/trace/setting`)).toEqual(expected);
    const unknown = await fetch(`${traced.url}/v2/models/nope/trace/setting`);
    expect(unknown.status).toBe(404);
  });

  it("changing settings takes the repository token", async () => {
    const anonymous = await setting("/v2/trace/setting", { trace_rate: "5" }, {});
    expect(anonymous.status).toBe(401);
    const wrong = await setting(
      "/v2/trace/setting",
      { trace_rate: "5" },
      {
        authorization: "Bearer guess",
      },
    );
    expect(wrong.status).toBe(401);
    const open = await postJson(`${untraced.url}/v2/trace/setting`, { trace_rate: "5" });
    expect(open.status).toBe(403);
    expect((await getJson(`${traced.url}/v2/trace/setting`)).trace_rate).toBe("1");
  });

  it("trace_rate samples one request in N of the model; null returns it to the global rate", async () => {
    const changed = await setting("/v2/models/rated/trace/setting", { trace_rate: "3" });
    expect(changed.status).toBe(200);
    expect(changed.body.trace_rate).toBe("3");
    expect((await tracedIds("rated", 6)).length).toBe(2);
    const cleared = await setting("/v2/models/rated/trace/setting", { trace_rate: null });
    expect(cleared.body.trace_rate).toBe("1");
    expect((await tracedIds("rated", 3)).length).toBe(3);
  });

  it("trace_count stops tracing a model after that many traces; trace_level OFF stops it at once", async () => {
    await setting("/v2/models/counted/trace/setting", { trace_count: "2" });
    expect((await tracedIds("counted", 4)).length).toBe(2);
    expect((await getJson(`${traced.url}/v2/models/counted/trace/setting`)).trace_count).toBe("0");
    await setting("/v2/models/counted/trace/setting", { trace_count: "-1", trace_level: ["OFF"] });
    expect(await tracedIds("counted", 2)).toEqual([]);
    await setting("/v2/models/counted/trace/setting", { trace_level: null, trace_count: null });
    expect((await tracedIds("counted", 2)).length).toBe(2);
  });

  it("refuses what it cannot do with a message saying why, and changes nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{ trace_file: "/etc/passwd" }, /trace_file' cannot be set.*--trace-endpoint/],
      [{ trace_level: ["TENSORS"] }, /TENSORS is not supported/],
      [{ trace_rate: "0" }, /at least 1/],
      [{ trace_rate: "2", bogus: "1" }, /unknown trace setting 'bogus'/],
      [{ trace_rate: null }, /global settings can be changed, not cleared/],
    ];
    for (const [change, message] of cases) {
      const answer = await setting("/v2/trace/setting", change);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
    expect((await getJson(`${traced.url}/v2/trace/setting`)).trace_rate).toBe("1");
  });

  it("with tracing off, reads OFF and refuses changes, naming the flag that turns tracing on", async () => {
    expect((await getJson(`${untraced.url}/v2/trace/setting`)).trace_level).toEqual(["OFF"]);
    const off = await startTestServer(
      await repositoryWith([batchedModel("m", {})]),
      control.options,
    );
    try {
      const answer = await postJson(
        `${off.url}/v2/trace/setting`,
        { trace_rate: "2" },
        control.headers,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/tracing is off: start the runtime with --trace-endpoint/);
    } finally {
      await off.shutdown(5000);
    }
  });
});

describe("trace extension over gRPC", () => {
  it("TraceSetting reads with the inference access and changes with the repository token", async () => {
    const read = await grpc.ok("TraceSetting", { model_name: "beacon" });
    expect(read.settings.trace_level.value).toEqual(["TIMESTAMPS"]);
    expect(read.settings.trace_mode.value).toEqual(["opentelemetry"]);

    const refused = await grpc.error("TraceSetting", {
      settings: { log_frequency: { value: ["10"] } },
    });
    expect(refused.code).toBe(16);

    const changed = await grpc.ok(
      "TraceSetting",
      { model_name: "beacon", settings: { log_frequency: { value: ["10"] } } },
      control.headers,
    );
    expect(changed.settings.log_frequency.value).toEqual(["10"]);
    expect((await getJson(`${traced.url}/v2/models/beacon/trace/setting`)).log_frequency).toBe(
      "10",
    );
    const cleared = await grpc.ok(
      "TraceSetting",
      { model_name: "beacon", settings: { log_frequency: { value: [] } } },
      control.headers,
    );
    expect(cleared.settings.log_frequency.value).toEqual(["0"]);

    const bad = await grpc.error(
      "TraceSetting",
      { settings: { trace_level: { value: ["TENSORS"] } } },
      control.headers,
    );
    expect([bad.code, bad.details]).toEqual([3, expect.stringMatching(/TENSORS is not supported/)]);
  });
});
