import { startupBanner } from "@hybridai/serving-runtime/src/banner";
import type { ModelSignature } from "@hybridai/serving-runtime/src/protocol/tensor-spec";
import { describe, expect, it } from "vitest";

const URL = "http://127.0.0.1:8000";
const mlp: ModelSignature = {
  name: "mlp",
  version: "2",
  inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
  maxBatchSize: 8,
};
const CURL =
  "  curl -s -X POST http://127.0.0.1:8000/v2/models/mlp/infer -H 'Content-Type: application/json' " +
  `-d '{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[0.1,0.2]}]}'`;

describe("startupBanner", () => {
  it("lists the ready models and a curl command for the first", () => {
    const index = [{ name: "mlp", version: "2", state: "READY" as const, reason: "" }];
    expect(startupBanner({ url: URL, ready: [mlp], index, strictReadiness: true })).toBe(
      [
        "",
        "hybridai-serve listening on http://127.0.0.1:8000",
        "Models ready: mlp (v2)",
        "Try an inference:",
        CURL,
        "",
        "",
      ].join("\n"),
    );
  });

  it("says where gRPC listens when it is on", () => {
    const index = [{ name: "mlp", version: "2", state: "READY" as const, reason: "" }];
    const text = startupBanner({
      url: URL,
      ready: [mlp],
      index,
      strictReadiness: true,
      grpcAddress: "127.0.0.1:8001",
    });
    expect(text.split("\n").slice(1, 4)).toEqual([
      "hybridai-serve listening on http://127.0.0.1:8000",
      "gRPC (inference.GRPCInferenceService) on 127.0.0.1:8001",
      "Models ready: mlp (v2)",
    ]);
  });

  it("lists every model that failed, with its state and reason on one line, and what readiness says", () => {
    const index = [
      { name: "broken", state: "UNAVAILABLE" as const, reason: "failed to load:\n  bad\tfile" },
      { name: "mlp", version: "2", state: "READY" as const, reason: "" },
      { name: "next", state: "LOADING" as const, reason: "" },
    ];
    const strict = startupBanner({ url: URL, ready: [mlp], index, strictReadiness: true });
    expect(strict.split("\n").slice(1, 6)).toEqual([
      "hybridai-serve listening on http://127.0.0.1:8000",
      "Models ready: mlp (v2)",
      "Models not ready (http://127.0.0.1:8000/v2/health/ready answers 503 until every model loads; fix them, then POST /v2/repository/models/<name>/load):",
      "  broken: UNAVAILABLE: failed to load: bad file",
      "  next: LOADING: no reason given",
    ]);
    const lenient = startupBanner({ url: URL, ready: [mlp], index, strictReadiness: false });
    expect(lenient.split("\n")[3]).toBe(
      "Models not ready (readiness ignores them: --strict-readiness is off; fix them, then POST /v2/repository/models/<name>/load):",
    );
    const advice = (modelControlMode: "none" | "poll") =>
      startupBanner({ url: URL, ready: [mlp], index, strictReadiness: false, modelControlMode })
        .split("\n")[3]
        .replace(/^.*is off; /, "");
    expect(advice("none")).toBe("fix them, then restart the server (--model-control-mode none)):");
    expect(advice("poll")).toBe("fix them in the repository; the server polls it and loads them):");
  });

  it("says so when no model is ready", () => {
    const index = [{ name: "broken", state: "UNAVAILABLE" as const, reason: "not an ONNX file" }];
    expect(
      startupBanner({ url: URL, ready: [], index, strictReadiness: true }).split("\n"),
    ).toEqual([
      "",
      "hybridai-serve listening on http://127.0.0.1:8000",
      "Models not ready (http://127.0.0.1:8000/v2/health/ready answers 503 until every model loads; fix them, then POST /v2/repository/models/<name>/load):",
      "  broken: UNAVAILABLE: not an ONNX file",
      "No model is ready; see the log above and POST /v2/repository/index.",
      "",
      "",
    ]);
  });
});
