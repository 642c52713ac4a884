/**
 * The baseline a user would write by hand: node:http, JSON only, one request → one
 * `session.run`, no batching, default onnxruntime settings.
 *
 * Usage: `node naive-server.js <model-repository> <port>`; serves every
 * `<repository>/<model>/1/model.onnx` at `POST /v2/models/<model>/infer` and answers
 * `GET /v2/health/ready` once loaded.
 */
import { readdirSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import path from "node:path";
import * as ort from "onnxruntime-node";

interface JsonInput {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

async function main(): Promise<void> {
  const [repository, port] = process.argv.slice(2);
  if (!repository || !port) throw new Error("usage: naive-server <model-repository> <port>");
  const sessions = new Map<string, ort.InferenceSession>();
  for (const model of readdirSync(repository)) {
    sessions.set(
      model,
      await ort.InferenceSession.create(path.join(repository, model, "1", "model.onnx")),
    );
  }
  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/v2/health/ready") {
      response.writeHead(200).end();
      return;
    }
    const match = /^\/v2\/models\/([^/]+)\/infer$/.exec(request.url ?? "");
    const session = match ? sessions.get(match[1]) : undefined;
    if (request.method !== "POST" || !match || !session) {
      reply(response, 404, { error: `no route ${request.method} ${request.url}` });
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      try {
        const { inputs } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          inputs: JsonInput[];
        };
        const feeds: Record<string, ort.Tensor> = {};
        for (const input of inputs) {
          feeds[input.name] = new ort.Tensor("float32", Float32Array.from(input.data), input.shape);
        }
        const results = await session.run(feeds);
        reply(response, 200, {
          model_name: match[1],
          outputs: Object.entries(results).map(([name, tensor]) => ({
            name,
            datatype: "FP32",
            shape: tensor.dims,
            data: Array.from(tensor.data as Float32Array),
          })),
        });
      } catch (error) {
        reply(response, 400, { error: (error as Error).message });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
