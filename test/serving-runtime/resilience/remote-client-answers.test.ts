import {
  RemoteCallError,
  RemoteInferenceClient,
} from "@hybridai/serving-runtime/src/resilience/remote-client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  closedPort,
  type StubAnswer,
  type StubEndpoint,
  startStubEndpoint,
} from "./helpers/stub-endpoint";

// RemoteInferenceClient at the edges of what an endpoint can answer (no body, a body exactly at
// the limit) and of how a call can fail. Answers come from a plain HTTP stub on loopback; the
// failure causes fetch reports are also fed to the client by a stand-in fetch, since a real
// connection cannot be made to fail with a cause that lacks a code or a message.

let answer: StubAnswer;
let stub: StubEndpoint;
const body = Buffer.from('{"inputs":[]}');

beforeAll(async () => {
  stub = await startStubEndpoint(() => answer);
});

afterAll(async () => {
  await stub.close();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const client = (maxResponseBytes?: number) =>
  new RemoteInferenceClient({ url: stub.url, timeoutMs: 5_000, maxResponseBytes });

describe("RemoteInferenceClient answers", () => {
  it("reads an answer without a body as empty", async () => {
    answer = { status: 204, body: "" };
    const reply = await client().infer({ model: "m", body, purpose: "fallback" });
    expect(reply.status).toBe(204);
    expect(reply.body.length).toBe(0);
  });

  it("refuses an answer without a body that declares a length over the limit", async () => {
    answer = { status: 204, headers: { "content-length": "11" }, body: "" };
    await expect(client(10).infer({ model: "m", body, purpose: "fallback" })).rejects.toEqual(
      new RemoteCallError("error", "answer of 11 bytes exceeds 10 bytes"),
    );
  });

  it("takes an answer whose declared length is exactly the limit", async () => {
    answer = { status: 200, headers: { "content-length": "10" }, body: "0123456789" };
    const reply = await client(10).infer({ model: "m", body, purpose: "fallback" });
    expect(reply.body.toString()).toBe("0123456789");
  });

  it("measures the call's duration from sending to the answer's last byte", async () => {
    answer = { status: 200, body: "{}" };
    const before = performance.now();
    const reply = await client().infer({ model: "m", body, purpose: "shadow" });
    const elapsed = performance.now() - before;
    expect(reply.durationMs).toBeGreaterThanOrEqual(0);
    expect(reply.durationMs).toBeLessThanOrEqual(elapsed);
  });
});

describe("RemoteInferenceClient failures", () => {
  it("names a refused connection by its code and the system's message", async () => {
    const port = await closedPort();
    const refused = new RemoteInferenceClient({
      url: `http://127.0.0.1:${port}`,
      timeoutMs: 5_000,
    });
    const call = refused.infer({ model: "m", body, purpose: "fallback" });
    await expect(call).rejects.toEqual(
      new RemoteCallError("error", `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`),
    );
    await expect(call).rejects.toMatchObject({ name: "RemoteCallError", failure: "error" });
  });

  it.each([
    [
      "a code and a message",
      { code: "ECONNRESET", message: "read ECONNRESET" },
      "ECONNRESET (read ECONNRESET)",
    ],
    ["only a code", { code: "UND_ERR_SOCKET", message: "" }, "UND_ERR_SOCKET"],
    ["only a message", { message: "other side closed" }, "other side closed"],
    ["no cause", undefined, "fetch failed"],
  ])("reports a fetch failure with %s", async (_, cause, message) => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("fetch failed", { cause })));
    await expect(client().infer({ model: "m", body, purpose: "fallback" })).rejects.toEqual(
      new RemoteCallError("error", message),
    );
  });
});
