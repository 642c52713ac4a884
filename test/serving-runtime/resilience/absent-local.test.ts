import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { negateModel, repositoryWith } from "../helpers/models";
import {
  explicitModelControl,
  type ModelControlAccess,
  metricValue,
  postJson,
  startTestServer,
} from "../helpers/server";

let server: RunningServer;
let control: ModelControlAccess;
const body = { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }] };

beforeAll(async () => {
  const root = await repositoryWith([negateModel("backup")]);
  await mkdir(path.join(root, "missing"), { recursive: true });
  await writeFile(
    path.join(root, "missing", "config.json"),
    JSON.stringify({ fallback: { model: "backup", on: ["error"] } }),
  );
  await mkdir(path.join(root, "plain_missing"), { recursive: true });
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, strictReadiness: false });
});

afterAll(async () => {
  await server.shutdown(5000);
});

describe("a model absent on this device", () => {
  it("answers from its local fallback model, saying so", async () => {
    const response = await postJson(`${server.url}/v2/models/missing/infer`, body);
    expect(response.status).toBe(200);
    expect(response.body.model_name).toBe("missing");
    expect(response.body.parameters).toEqual({
      fallback_model: "backup",
      fallback_model_version: "1",
      fallback_trigger: "absent",
    });
    expect(response.body.outputs[0].data).toEqual([-1, -2, -3, -4]);
    expect(
      await metricValue(server.url, "hybridai_fallback_requests_total", {
        model: "missing",
        fallback_model: "backup",
        trigger: "absent",
      }),
    ).toBe(1);
  });

  it("answers 503 as before without a fallback, and 404 for an unknown model", async () => {
    const plain = await postJson(`${server.url}/v2/models/plain_missing/infer`, body);
    expect(plain.status).toBe(503);
    expect(plain.body.error).toMatch(/model 'plain_missing' is not ready \(UNAVAILABLE/);
    const unknown = await postJson(`${server.url}/v2/models/nobody/infer`, body);
    expect(unknown.status).toBe(404);
  });

  it("answers from the fallback after an explicit unload, and from the model again once loaded", async () => {
    const unload = await fetch(`${server.url}/v2/repository/models/backup/unload`, {
      method: "POST",
      headers: control.headers,
    });
    expect(unload.status).toBe(200);
    const gone = await postJson(`${server.url}/v2/models/missing/infer`, body);
    expect(gone.status).toBe(503);
    expect(gone.body.error).toMatch(
      /model 'missing' could not answer \(absent\) and its fallback 'backup' cannot: model 'backup' is not ready/,
    );
    await fetch(`${server.url}/v2/repository/models/backup/load`, {
      method: "POST",
      headers: control.headers,
    });
    expect((await postJson(`${server.url}/v2/models/missing/infer`, body)).status).toBe(200);
  });
});
