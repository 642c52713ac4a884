import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryBody, postBinary } from "../helpers/binary";
import { fixedModel, identityModel, multiModel, repositoryWith } from "../helpers/models";
import { type Json, postJson, startTestServer } from "../helpers/server";

let server: RunningServer;
let url: string;

const fp32 = (data: unknown, shape = [1, 3]) => ({
  inputs: [{ name: "x", shape, datatype: "FP32", data }],
});

beforeAll(async () => {
  const root = await repositoryWith([
    identityModel("FP32"),
    identityModel("INT8"),
    identityModel("BYTES"),
    multiModel(),
    fixedModel(),
  ]);
  server = await startTestServer(root, { bodyLimitBytes: 4096, defaultMaxBatchSize: 0 });
  url = `${server.url}/v2/models/identity_fp32/infer`;
});

afterAll(async () => {
  await server.shutdown(5000);
});

async function expectError(
  response: Promise<{ status: number; body?: Json; json?: Json }>,
  status: number,
  pattern: RegExp,
) {
  const result = await response;
  const body = result.body ?? result.json;
  expect(result.status).toBe(status);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatch(pattern);
}

describe("model and version addressing", () => {
  it("answers 404 for an unknown model and version, 400 for a non-numeric version", async () => {
    await expectError(
      postJson(`${server.url}/v2/models/nope/infer`, fp32([1, 2, 3])),
      404,
      /unknown model 'nope'/,
    );
    await expectError(
      postJson(`${server.url}/v2/models/identity_fp32/versions/7/infer`, fp32([1, 2, 3])),
      404,
      /has no version '7'; loaded versions: 1/,
    );
    await expectError(
      postJson(`${server.url}/v2/models/identity_fp32/versions/latest/infer`, fp32([1, 2, 3])),
      400,
      /invalid model version 'latest'/,
    );
    const metadata = await fetch(`${server.url}/v2/models/nope`);
    expect(metadata.status).toBe(404);
    expect((await metadata.json()) as Json).toEqual({ error: "unknown model 'nope'" });
  });

  it("answers unknown endpoints with 404 and an error body", async () => {
    const response = await fetch(`${server.url}/v2/nothing/here`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as Json).error).toMatch(/no endpoint GET \/v2\/nothing\/here/);
  });
});

describe("body format", () => {
  it("rejects malformed JSON, an empty body and a non-object", async () => {
    await expectError(postJson(url, '{"inputs": ['), 400, /malformed JSON in request body/);
    await expectError(postJson(url, ""), 400, /malformed JSON/);
    await expectError(
      postJson(url, "[1,2]"),
      400,
      /invalid inference request: Invalid input: expected object, received array/,
    );
    await expectError(
      postJson(url, { inputs: [] }),
      400,
      /model 'identity_fp32' requires input\(s\) 'x', which the request does not give/,
    );
    await expectError(
      postJson(url, { inputs: [{ name: "x", shape: [1, -3], datatype: "FP32", data: [] }] }),
      400,
      /inputs\[0\]\.shape\[1\]/,
    );
  });

  it("rejects a content type other than JSON without the binary header (415)", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as Json).error).toMatch(
      /unsupported content type 'text\/plain'/,
    );
  });

  it("accepts JSON sent without a content type, as Triton's clients may send it", async () => {
    const response = await fetch(url, {
      method: "POST",
      body: Buffer.from(JSON.stringify(fp32([1, 2, 3]))),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json).outputs[0].data).toEqual([1, 2, 3]);
  });

  it("rejects a body over the configured limit with 413", async () => {
    const data = Array.from({ length: 3000 }, () => 1.5);
    await expectError(
      postJson(url, fp32(data, [1000, 3])),
      413,
      /exceeds the server's limit of 4096 bytes/,
    );
  });
});

describe("binary tensor extension", () => {
  const header = {
    inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", parameters: { binary_data_size: 12 } }],
  };
  const tensor = Buffer.from(new Float32Array([1, 2, 3]).buffer);

  it("rejects an Inference-Header-Content-Length longer than the body or not a number", async () => {
    const { body } = binaryBody(header, [tensor]);
    for (const [value, pattern] of [
      [String(body.length + 1), /is \d+ but the body has only \d+ bytes/],
      ["abc", /must be a non-negative integer/],
    ] as const) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "inference-header-content-length": value,
          "content-type": "application/octet-stream",
        },
        body,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as Json).error).toMatch(pattern);
    }
  });

  it("rejects binary_data_size that disagrees with the shape, the data or the body", async () => {
    await expectError(
      postBinary(url, header, [tensor.subarray(0, 8)]),
      400,
      /only 8 bytes of binary data remain/,
    );
    await expectError(
      postBinary(url, { inputs: [{ ...header.inputs[0], parameters: { binary_data_size: 8 } }] }, [
        tensor.subarray(0, 8),
      ]),
      400,
      /binary_data_size is 8 bytes but its shape of 3 FP32 elements needs 12 bytes/,
    );
    await expectError(
      postBinary(url, header, [tensor, Buffer.alloc(4)]),
      400,
      /4 bytes of binary data beyond/,
    );
    await expectError(
      postBinary(
        `${server.url}/v2/models/identity_bytes/infer`,
        {
          inputs: [
            { name: "x", shape: [1e9, 3], datatype: "BYTES", parameters: { binary_data_size: 8 } },
          ],
        },
        [Buffer.alloc(8)],
      ),
      400,
      /its shape \[1000000000,3\] has 3000000000 BYTES elements, more than this request of \d+ bytes can carry/,
    );
    await expectError(
      postBinary(url, { inputs: [{ ...header.inputs[0], data: [1, 2, 3] }] }, [tensor]),
      400,
      /either 'data' or parameters.binary_data_size/,
    );
  });
});

describe("inputs against the model", () => {
  it("rejects missing, extra and duplicate inputs", async () => {
    await expectError(
      postJson(`${server.url}/v2/models/multi/infer`, {
        inputs: [{ name: "a", shape: [1, 2], datatype: "FP32", data: [1, 2] }],
      }),
      400,
      /requires input\(s\) 'b'/,
    );
    await expectError(
      postJson(url, {
        inputs: [...fp32([1, 2, 3]).inputs, { name: "z", shape: [1], datatype: "FP32", data: [1] }],
      }),
      400,
      /the request has 2 inputs; model 'identity_fp32' has 1 \('x'\)/,
    );
    const a = { name: "a", shape: [1, 2], datatype: "FP32", data: [1, 2] };
    await expectError(
      postJson(`${server.url}/v2/models/multi/infer`, { inputs: [a, a] }),
      400,
      /input 'a' is given twice/,
    );
  });

  it("rejects a wrong datatype, naming the model's", async () => {
    await expectError(
      postJson(url, { inputs: [{ name: "x", shape: [1, 3], datatype: "FP64", data: [1, 2, 3] }] }),
      400,
      /datatype 'FP64' does not match the model's FP32/,
    );
    await expectError(
      postJson(url, { inputs: [{ name: "x", shape: [1, 3], datatype: "FLOAT", data: [1, 2, 3] }] }),
      400,
      /datatype 'FLOAT'/,
    );
  });

  it("rejects a wrong rank or dimension size against the model's dims", async () => {
    await expectError(
      postJson(url, fp32([1, 2, 3], [3])),
      400,
      /shape \[3\] does not match the model's \[-1,3\]/,
    );
    await expectError(
      postJson(url, fp32([1, 2, 3, 4], [1, 4])),
      400,
      /shape \[1,4\] does not match/,
    );
    await expectError(
      postJson(`${server.url}/v2/models/fixed/infer`, fp32([1, 2, 3], [1, 3])),
      400,
      /shape \[1,3\] does not match the model's \[2,3\]/,
    );
  });

  it("rejects data whose length differs from the product of the shape", async () => {
    await expectError(
      postJson(url, fp32([1, 2], [1, 3])),
      400,
      /shape has 3 elements but 'data' holds 2/,
    );
    await expectError(
      postJson(
        url,
        fp32(
          [
            [1, 2],
            [3, 4],
          ],
          [1, 3],
        ),
      ),
      400,
      /'data' holds more than the 3 elements its shape calls for/,
    );
  });

  it("rejects elements of the wrong type or out of range, naming the element", async () => {
    await expectError(
      postJson(url, fp32([1, "two", 3])),
      400,
      /element 1 is "two"; expected a number/,
    );
    await expectError(postJson(url, fp32("1,2,3")), 400, /'data' must be an array/);
    await expectError(
      postJson(`${server.url}/v2/models/identity_int8/infer`, {
        inputs: [{ name: "x", shape: [1, 3], datatype: "INT8", data: [1, 200, 3] }],
      }),
      400,
      /element 1 is 200; expected an integer from -128 to 127/,
    );
    await expectError(
      postJson(url, { inputs: [{ name: "x", shape: [1, 3], datatype: "FP32" }] }),
      400,
      /missing 'data'/,
    );
  });

  it("rejects unknown outputs and unsupported extensions", async () => {
    await expectError(
      postJson(url, { ...fp32([1, 2, 3]), outputs: [{ name: "nope" }] }),
      400,
      /unknown output 'nope'/,
    );
    await expectError(
      postJson(url, {
        ...fp32([1, 2, 3]),
        outputs: [{ name: "y", parameters: { classification: 2 } }],
      }),
      501,
      /classification extension is not supported/,
    );
    await expectError(
      postJson(url, {
        inputs: [
          { name: "x", shape: [1, 3], datatype: "FP32", parameters: { shared_memory_region: "r" } },
        ],
      }),
      501,
      /shared-memory extension is not supported/,
    );
  });

  it("still serves after every bad request", async () => {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    const ok = await postJson(url, fp32([1, 2, 3]));
    expect(ok.status).toBe(200);
    expect(ok.body.outputs[0].data).toEqual([1, 2, 3]);
  });
});
