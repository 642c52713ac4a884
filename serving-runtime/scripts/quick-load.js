#!/usr/bin/env node
/**
 * Quick local load run against a running server on the demo `mlp` model: autocannon at
 * concurrency 1, 8 and 32, JSON and binary protocol, printing requests/s and p50/p99 latency.
 * The full benchmark (raw onnxruntime and naive-server baselines) lives in bench/.
 *
 * Usage: node serving-runtime/scripts/quick-load.js [BASE_URL] [SECONDS]
 */
const autocannon = require("autocannon");

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const seconds = Number(process.argv[3] ?? 5);
const url = `${baseUrl}/v2/models/mlp/infer`;
const features = [0.1, 0.2, 0.3, 0.4];

const jsonBody = JSON.stringify({
  inputs: [{ name: "features", shape: [1, 4], datatype: "FP32", data: features }],
});
const header = Buffer.from(
  JSON.stringify({
    inputs: [
      { name: "features", shape: [1, 4], datatype: "FP32", parameters: { binary_data_size: 16 } },
    ],
    parameters: { binary_data_output: true },
  }),
);
const binaryBody = Buffer.concat([header, Buffer.from(new Float32Array(features).buffer)]);

const protocols = {
  json: { headers: { "content-type": "application/json" }, body: jsonBody },
  binary: {
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(header.length),
    },
    body: binaryBody,
  },
};

async function main() {
  for (const [protocol, request] of Object.entries(protocols)) {
    for (const connections of [1, 8, 32]) {
      const result = await autocannon({
        url,
        method: "POST",
        connections,
        duration: seconds,
        ...request,
      });
      const line = [
        protocol.padEnd(6),
        `c=${String(connections).padEnd(3)}`,
        `${Math.round(result.requests.average)} req/s`,
        `mean ${result.latency.average.toFixed(2)} ms`,
        `p50 ${result.latency.p50} ms`,
        `p99 ${result.latency.p99} ms`,
        `non-2xx ${result.non2xx}`,
        `errors ${result.errors}`,
      ];
      process.stdout.write(`${line.join("  ")}\n`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
