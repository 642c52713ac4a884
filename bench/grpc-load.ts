import path from "node:path";
import { Client, credentials } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { ChildServer } from "./child-server";
import type { LoadPoint } from "./load";
import type { BenchModel } from "./models";
import { itemValues } from "./payloads";
import { breakdown, scrapeModelCounters } from "./server-metrics";
import { type LatencySummary, summarizeLatencies } from "./stats";

const PROTO_DIRECTORY = path.resolve(__dirname, "..", "..", "..", "serving-runtime", "proto");
const INFER_PATH = "/inference.GRPCInferenceService/ModelInfer";

const protocol = loadSync("grpc_service.proto", {
  includeDirs: [PROTO_DIRECTORY],
  keepCase: true,
  longs: String,
  defaults: true,
});
interface InferAnswer {
  id: string;
  outputs: { name: string; datatype: string }[];
  raw_output_contents: Buffer[];
}

const service = protocol["inference.GRPCInferenceService"] as Record<string, unknown>;
const modelInfer = service.ModelInfer as {
  path: string;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): InferAnswer;
};
const modelStreamInfer = service.ModelStreamInfer as {
  path: string;
  responseDeserialize(bytes: Buffer): { error_message: string; infer_response: InferAnswer };
};

const passThrough = (bytes: Buffer) => bytes;

/** A ready-to-send `ModelInferRequest` carrying one item, as Triton's gRPC clients send it. */
export interface GrpcPayload {
  /** The serialized message (encoded once, sent as is, as autocannon sends its body). */
  message: Buffer;
  /** The item's values as FP32. */
  values: Float32Array;
}

/**
 * Builds a `ModelInferRequest` for one item of `model` with its FP32 elements in
 * `raw_input_contents` (what tritonclient.grpc sends), the same values as the HTTP payloads.
 *
 * @param model the model
 * @param id the request id (streaming matches answers by it)
 */
export function grpcPayload(model: BenchModel, id = ""): GrpcPayload {
  const values = itemValues(model);
  const message = modelInfer.requestSerialize({
    model_name: model.name,
    id,
    inputs: [{ name: model.input, datatype: "FP32", shape: [1, ...model.itemShape] }],
    raw_input_contents: [Buffer.from(values.buffer, values.byteOffset, values.byteLength)],
  });
  return { message, values };
}

/** A channel of its own (no subchannel shared with other channels): one HTTP/2 connection. */
function connect(address: string): Client {
  return new Client(address, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.enable_channelz": 0,
    "grpc.enable_retries": 0,
    "grpc.max_receive_message_length": -1,
  });
}

function call(client: Client, message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(INFER_PATH, passThrough, passThrough, message, (error, value) =>
      error || !value ? reject(error) : resolve(value),
    );
  });
}

/**
 * Sends one request and reads its first output's FP32 values (to check the answer).
 * @throws Error with the status when the call fails or the answer has no output.
 */
export async function grpcFirstOutput(address: string, payload: GrpcPayload): Promise<number[]> {
  const client = connect(address);
  try {
    const answer = modelInfer.responseDeserialize(await call(client, payload.message));
    const raw = answer.raw_output_contents[0];
    if (!raw) throw new Error(`gRPC answer has no raw output: ${JSON.stringify(answer.outputs)}`);
    return Array.from(new Float32Array(new Uint8Array(raw).buffer));
  } finally {
    client.close();
  }
}

/** Keeps one call in flight on each client until `until`; counts and times them. */
async function drive(
  clients: Client[],
  message: Buffer,
  until: number,
  latencies?: number[],
): Promise<{ ok: number; errors: number }> {
  let ok = 0;
  let errors = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await call(client, message);
          ok++;
          latencies?.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { ok, errors };
}

/**
 * The gRPC counterpart of autocannon's run, as gRPC clients load a server: one channel (one
 * HTTP/2 connection, like one `tritonclient.grpc.InferenceServerClient`) carrying `connections`
 * concurrent `ModelInfer` calls, each sent again as soon as it is answered (autocannon keeps one
 * request in flight on each of `connections` HTTP/1.1 connections, which cannot multiplex), for
 * `seconds` after a warmup; the message is encoded once and calls carry no deadline
 * (tritonclient's default). A stalled server ends in the bench's watchdog.
 * Latencies have sub-millisecond resolution.
 *
 * @param server the server under test (CPU time and `/metrics`)
 * @param address its gRPC `host:port`
 * @param payload the request every call repeats
 * @param connections concurrency
 * @param model model whose `/metrics` counters to read before and after
 */
export async function measureGrpcLoad(
  server: ChildServer,
  address: string,
  payload: GrpcPayload,
  connections: number,
  seconds: number,
  warmupSeconds: number,
  model?: string,
): Promise<LoadPoint> {
  const channel = connect(address);
  const clients = Array.from({ length: connections }, () => channel);
  try {
    if (warmupSeconds > 0) {
      await drive(clients, payload.message, performance.now() + warmupSeconds * 1000);
    }
    const countersBefore = model ? await scrapeModelCounters(server.url, model) : undefined;
    const serverCpuBefore = server.cpuSeconds();
    const ownCpuBefore = process.cpuUsage();
    const latencies: number[] = [];
    const start = performance.now();
    const { ok, errors } = await drive(clients, payload.message, start + seconds * 1000, latencies);
    const wall = (performance.now() - start) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const serverCpuSeconds = server.cpuSeconds() - serverCpuBefore;
    const countersAfter = model ? await scrapeModelCounters(server.url, model) : undefined;
    const summary = latencies.length > 0 ? summarizeLatencies(latencies) : undefined;
    return {
      connections,
      itemsPerSecond: ok / wall,
      latency: { p50: summary?.p50 ?? 0, p99: summary?.p99 ?? 0, mean: summary?.mean ?? 0 },
      ok,
      non2xx: 0,
      errors,
      seconds: wall,
      serverCpuSeconds,
      loadGeneratorCpuSeconds: (ownCpu.user + ownCpu.system) / 1e6,
      server: breakdown(countersBefore, countersAfter),
    };
  } finally {
    channel.close();
  }
}

/**
 * The streaming counterpart (`ModelStreamInfer`, as `perf_analyzer -i grpc --streaming` and
 * tritonclient's `async_stream_infer` load a server): one channel, one stream, `connections`
 * requests in flight on it, each answered request replaced by the next at once. Answers are
 * matched to their requests by id (each in-flight slot has its own pre-encoded message).
 *
 * @param server the server under test (CPU time and `/metrics`)
 * @param address its gRPC `host:port`
 * @param model the model (one item per request)
 * @param connections requests in flight
 * @param metricsModel model whose `/metrics` counters to read before and after
 */
export async function measureGrpcStreamLoad(
  server: ChildServer,
  address: string,
  model: BenchModel,
  connections: number,
  seconds: number,
  warmupSeconds: number,
  metricsModel?: string,
): Promise<LoadPoint & { sequential: LatencySummary }> {
  const slots = Array.from({ length: connections }, (_, i) => grpcPayload(model, `${i}`).message);
  const channel = connect(address);
  const stream = channel.makeBidiStreamRequest(
    modelStreamInfer.path,
    passThrough,
    (bytes: Buffer) => modelStreamInfer.responseDeserialize(bytes),
  );
  try {
    let until = 0;
    let counting = false;
    let ok = 0;
    let errors = 0;
    let open = 0;
    const latencies: number[] = [];
    const sentAt = new Array<number>(connections).fill(0);
    let settle: (() => void) | undefined;
    const send = (slot: number) => {
      sentAt[slot] = performance.now();
      open++;
      stream.write(slots[slot]);
    };
    stream.on("data", (answer: { error_message: string; infer_response: InferAnswer }) => {
      const slot = Number(answer.infer_response.id);
      open--;
      if (counting) {
        if (answer.error_message === "") {
          ok++;
          latencies.push(performance.now() - sentAt[slot]);
        } else {
          errors++;
        }
      }
      if (performance.now() < until) send(slot);
      else if (open === 0) settle?.();
    });
    stream.on("error", () => settle?.());
    const phase = (phaseSeconds: number) =>
      new Promise<void>((resolve) => {
        settle = resolve;
        until = performance.now() + phaseSeconds * 1000;
        for (let slot = 0; slot < connections; slot++) send(slot);
      });
    if (warmupSeconds > 0) await phase(warmupSeconds);
    const countersBefore = metricsModel
      ? await scrapeModelCounters(server.url, metricsModel)
      : undefined;
    const serverCpuBefore = server.cpuSeconds();
    const ownCpuBefore = process.cpuUsage();
    counting = true;
    const start = performance.now();
    await phase(seconds);
    const wall = (performance.now() - start) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const serverCpuSeconds = server.cpuSeconds() - serverCpuBefore;
    const countersAfter = metricsModel
      ? await scrapeModelCounters(server.url, metricsModel)
      : undefined;
    const summary = summarizeLatencies(latencies.length > 0 ? latencies : [0]);
    return {
      connections,
      itemsPerSecond: ok / wall,
      latency: { p50: summary.p50, p99: summary.p99, mean: summary.mean },
      ok,
      non2xx: errors,
      errors: 0,
      seconds: wall,
      serverCpuSeconds,
      loadGeneratorCpuSeconds: (ownCpu.user + ownCpu.system) / 1e6,
      server: breakdown(countersBefore, countersAfter),
      sequential: summary,
    };
  } finally {
    stream.end();
    channel.close();
  }
}

/**
 * Calls one after another on one channel for `seconds` and times each (the gRPC counterpart of
 * `measureSequentialLatency`).
 * @throws Error when a call fails.
 */
export async function measureGrpcSequential(
  address: string,
  payload: GrpcPayload,
  seconds: number,
): Promise<LatencySummary> {
  const client = connect(address);
  try {
    for (let i = 0; i < 20; i++) await call(client, payload.message);
    const latencies: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end || latencies.length < 20) {
      const started = performance.now();
      await call(client, payload.message);
      latencies.push(performance.now() - started);
    }
    return summarizeLatencies(latencies);
  } finally {
    client.close();
  }
}
