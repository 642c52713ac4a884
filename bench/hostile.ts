import { request } from "node:http";
import path from "node:path";
import { Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { ChildServer } from "./child-server";

/** One hostile request and what the server did meanwhile. */
export interface HostileCase {
  /** What was sent. */
  label: string;
  /** Size of the request body or message, bytes. */
  requestBytes: number;
  /** HTTP status, or gRPC status code, of the answer. */
  status: number;
  /** The status a bounded server answers with: 400, or gRPC INVALID_ARGUMENT (3). */
  expectedStatus: number;
  /** From the first byte sent to the answer, ms. */
  answerMs: number;
  /**
   * `GET /v2/health/live` probes answered while the request was in flight: until it was
   * answered and its body had all been sent (or its connection closed).
   */
  healthProbes: number;
  /** The longest of those probes, ms. */
  healthMaxMs: number;
  /** Server RSS before the request, MiB. */
  rssBeforeMiB: number;
  /** Highest server RSS sampled (every 20 ms) while the request was in flight, MiB. */
  rssPeakMiB: number;
  /** Server RSS one second after the answer, MiB. */
  rssAfterMiB: number;
  /** CPU seconds the server used from the request to the answer. */
  serverCpuSeconds: number;
}

/** The hostile-input cases of a run. */
export interface HostileResult {
  /** One entry per hostile request. */
  cases: HostileCase[];
}

/** Bytes of the hostile JSON body: 40 MB, under the default 64 MiB body limit. */
export const HOSTILE_BODY_BYTES = 40_000_000;

const PROTO_DIRECTORY = path.resolve(__dirname, "..", "..", "..", "serving-runtime", "proto");

/**
 * `{"inputs":[{"name":"","shape":[-1]}, …]}` of `bytes` bytes: an input list far longer than any
 * model's, each entry invalid, as the security review sent it (finding 2 of issue 24).
 */
function hostileJson(bytes: number): Buffer {
  const entry = '{"name":"","shape":[-1]}';
  const count = Math.floor((bytes - 12) / (entry.length + 1));
  return Buffer.from(`{"inputs":[${new Array(count).fill(entry).join(",")}]}`);
}

/** A `ModelInferRequest` with `count` inputs, serialized once, before anything is timed. */
function hostileMessage(model: string, count: number): Buffer {
  const protocol = loadSync("grpc_service.proto", {
    includeDirs: [PROTO_DIRECTORY],
    keepCase: true,
  });
  const service = protocol["inference.GRPCInferenceService"] as Record<string, unknown>;
  const modelInfer = service.ModelInfer as { requestSerialize(value: unknown): Buffer };
  const input = { name: "", datatype: "FP32", shape: [1] };
  return modelInfer.requestSerialize({ model_name: model, inputs: new Array(count).fill(input) });
}

/** A request in flight: its answer's status, and when it is over on the wire. */
interface Sent {
  /** The answer's status. */
  status: Promise<number>;
  /** Resolves once the request has been sent whole, or its connection closed. */
  over: Promise<void>;
}

function postBody(url: string, body: Buffer): Sent {
  let over: () => void = () => undefined;
  const status = new Promise<number>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on("error", (error) => {
      over();
      reject(error);
    });
    outgoing.on("close", () => over());
    outgoing.end(body);
  });
  return { status, over: new Promise((resolve) => (over = resolve)) };
}

function grpcCall(address: string, message: Buffer): Sent {
  const client = new Client(address, credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
  });
  const status = new Promise<number>((resolve) => {
    client.makeUnaryRequest(
      "/inference.GRPCInferenceService/ModelInfer",
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      message,
      (error: ServiceError | null) => {
        client.close();
        resolve(error ? error.code : 0);
      },
    );
  });
  return { status, over: status.then(() => undefined) };
}

/**
 * Sends one hostile request while probing `GET /v2/health/live` back to back and sampling the
 * server's RSS, and reports how long the answer took, the longest health answer while the
 * request was on the wire (its answer, and the rest of its body the server reads and discards
 * after answering early), and the server's memory before, at its peak and one second after.
 */
async function measureCase(
  server: ChildServer,
  label: string,
  requestBytes: number,
  expectedStatus: number,
  send: () => Sent,
): Promise<HostileCase> {
  const rssBeforeMiB = server.rssMiB();
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => {
    if (server.running) rssPeakMiB = Math.max(rssPeakMiB, server.rssMiB());
  }, 20);
  let done = false;
  const probes: number[] = [];
  // A probe that gets no answer within 30 s counts as taking 30 s (or longer), and probing goes
  // on: a server that stopped answering shows as a long probe, not as a failed run.
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      try {
        const response = await fetch(`${server.url}/v2/health/live`, {
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
      } catch {
        // unanswered: its time still counts below
      }
      probes.push(performance.now() - started);
    }
  })();
  const cpuBefore = server.cpuSeconds();
  const started = performance.now();
  let status: number;
  let answerMs: number;
  try {
    const sent = send();
    status = await sent.status;
    answerMs = performance.now() - started;
    await sent.over;
  } finally {
    done = true;
    clearInterval(sampler);
  }
  const serverCpuSeconds = server.cpuSeconds() - cpuBefore;
  await probing;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return {
    label,
    requestBytes,
    status,
    expectedStatus,
    answerMs,
    healthProbes: probes.length,
    healthMaxMs: Math.max(0, ...probes),
    rssBeforeMiB,
    rssPeakMiB,
    rssAfterMiB: server.rssMiB(),
    serverCpuSeconds,
  };
}

/**
 * Issue 24's hostile-input case: a 40 MB JSON body of 1.6 million invalid inputs over HTTP, and
 * a gRPC message of 200,000 inputs, each against a served model.
 *
 * @param server our server
 * @param grpcAddress its gRPC `host:port`
 * @param model a model it serves
 */
export async function measureHostile(
  server: ChildServer,
  grpcAddress: string,
  model: string,
): Promise<HostileResult> {
  const body = hostileJson(HOSTILE_BODY_BYTES);
  const message = hostileMessage(model, 200_000);
  const cases = [
    await measureCase(server, "HTTP JSON, 1.6 M invalid inputs", body.length, 400, () =>
      postBody(`${server.url}/v2/models/${model}/infer`, body),
    ),
    await measureCase(server, "gRPC ModelInfer, 200,000 inputs", message.length, 3, () =>
      grpcCall(grpcAddress, message),
    ),
  ];
  return { cases };
}
