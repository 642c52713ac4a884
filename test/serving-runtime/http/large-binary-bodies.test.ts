import type { IncomingMessage } from "node:http";
import { request } from "node:http";
import { Readable } from "node:stream";
import { readBody } from "@hybridai/serving-runtime/src/http/body-reader";
import { decodeInferRequest } from "@hybridai/serving-runtime/src/protocol/infer-request";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryBody } from "../helpers/binary";
import { identityModel, repositoryWith } from "../helpers/models";
import { startTestServer } from "../helpers/server";

// Binary bodies that arrive in several chunks (issue 27): joined once, with the tensors placed
// at an aligned address so they are viewed rather than copied again, whatever the JSON header's
// length; answered correctly at every alignment over real HTTP.

const ROWS = 20_000;
/** The served identity model batches at most 64 rows: over HTTP, bodies arrive in pieces instead. */
const HTTP_ROWS = 64;

function tensor(seed: number, rows = ROWS): Buffer {
  const values = new Float32Array(rows * 3);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7 + seed) % 1000) / 8;
  return Buffer.from(values.buffer);
}

/** A header whose JSON length is `base + pad` bytes: the request id takes the padding. */
function header(pad: number, rows = ROWS) {
  return {
    id: "x".repeat(pad + 1),
    inputs: [
      {
        name: "x",
        shape: [rows, 3],
        datatype: "FP32",
        parameters: { binary_data_size: rows * 12 },
      },
    ],
    parameters: { binary_data_output: true },
  };
}

function bodyStream(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

function read(message: IncomingMessage, alignAt: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readBody(
      message,
      10 * 1024 * 1024,
      (error, body) => (error ? reject(error) : resolve(body as Buffer)),
      undefined,
      alignAt,
    ),
  );
}

describe("readBody joining chunks", () => {
  it("places the byte at alignAt on an 8-byte boundary, for every offset, with the same bytes", async () => {
    for (let alignAt = 0; alignAt < 8; alignAt++) {
      const whole = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
      const body = await read(
        bodyStream([whole.subarray(0, 1001), whole.subarray(1001, 2002), whole.subarray(2002)]),
        alignAt,
      );
      expect(body.equals(whole)).toBe(true);
      expect((body.byteOffset + alignAt) % 8).toBe(0);
    }
  });

  it("lets an unaligned binary tensor be viewed in place instead of copied", async () => {
    const model = {
      name: "identity_fp32",
      version: "1",
      maxBatchSize: 0,
      inputs: [{ name: "x", datatype: "FP32" as const, shape: [ROWS, 3] }],
      outputs: [{ name: "y", datatype: "FP32" as const, shape: [ROWS, 3] }],
    };
    const { body, jsonLength } = binaryBody(header(2), [tensor(1)]);
    expect(jsonLength % 4).not.toBe(0);
    const joined = await read(
      bodyStream([body.subarray(0, 70_000), body.subarray(70_000)]),
      jsonLength,
    );
    const input = decodeInferRequest(joined, String(jsonLength), model).inputs[0]
      .data as Float32Array;
    expect(input.buffer).toBe(joined.buffer);
    expect(Buffer.from(input.buffer, input.byteOffset, input.byteLength).equals(tensor(1))).toBe(
      true,
    );
  });
});

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer(
    await repositoryWith([{ ...identityModel("FP32"), config: { max_batch_size: HTTP_ROWS } }]),
  );
});

afterAll(async () => {
  await server.shutdown(5000);
});

/** POSTs a body in pieces written apart, so the server receives it in several chunks. */
function postInPieces(
  body: Buffer,
  jsonLength: number,
): Promise<{ status: number; bytes: Buffer; jsonEnd: number }> {
  return new Promise((resolve, reject) => {
    const call = request(
      `${server.url}/v2/models/identity_fp32/infer`,
      {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          "content-length": body.length,
          "inference-header-content-length": jsonLength,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            bytes: Buffer.concat(chunks),
            jsonEnd: Number(response.headers["inference-header-content-length"] ?? 0),
          }),
        );
      },
    );
    call.on("error", reject);
    const third = Math.floor(body.length / 3);
    call.write(body.subarray(0, third));
    setTimeout(() => {
      call.write(body.subarray(third, 2 * third));
      setTimeout(() => call.end(body.subarray(2 * third)), 5);
    }, 5);
  });
}

describe("large binary bodies over HTTP", () => {
  it("answers each of 8 concurrent requests with its own tensor, at every header alignment", async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, async (_, pad) => {
        const { body, jsonLength } = binaryBody(header(pad, HTTP_ROWS), [tensor(pad, HTTP_ROWS)]);
        return { pad, answer: await postInPieces(body, jsonLength) };
      }),
    );
    for (const { pad, answer } of answers) {
      expect(answer.status, answer.bytes.toString("utf8", 0, 300)).toBe(200);
      expect(answer.bytes.subarray(answer.jsonEnd).equals(tensor(pad, HTTP_ROWS))).toBe(true);
    }
  });
});
