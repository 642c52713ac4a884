import { writeFile } from "node:fs/promises";
import path from "node:path";
import { mlpDemo } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import { runProfileCommand } from "@hybridai/serving-runtime/src/observability/profile-command";
import type { RunningServer } from "@hybridai/serving-runtime/src/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryWith } from "../helpers/models";
import { type Exposition, samplesOf, scrape } from "../helpers/prometheus-text";
import {
  explicitModelControl,
  type ModelControlAccess,
  postJson,
  startTestServer,
} from "../helpers/server";
import { featuresRequest, gaussianRows } from "./streams";

const MEANS = [0, 5, -2, 10];
const DEVIATIONS = [1, 2, 0.5, 3];
const WINDOW = 300;
const labels = { model: "mlp", version: "1", input: "features" };

let root: string;
let server: RunningServer;
let control: ModelControlAccess;

const psiOf = (page: Exposition): number[] =>
  samplesOf(page, "hybridai_input_drift_psi", labels).map((sample) => sample.value);

async function send(next: () => number[], requests: number, rowsPerRequest: number) {
  for (let i = 0; i < requests; i++) {
    const rows = Array.from({ length: rowsPerRequest }, next);
    const response = await postJson(`${server.url}/v2/models/mlp/infer`, featuresRequest(rows));
    expect(response.status).toBe(200);
  }
}

beforeAll(async () => {
  root = await repositoryWith([mlpDemo()]);
  const baseline = gaussianRows(1, MEANS, DEVIATIONS);
  const data = path.join(path.dirname(root), `${path.basename(root)}-sample.jsonl`);
  const lines = Array.from({ length: 400 }, (_, i) =>
    JSON.stringify(featuresRequest(Array.from({ length: 1 + (i % 3) }, baseline))),
  );
  await writeFile(data, `${lines.join("\n")}\n`);
  const quiet = { out: () => undefined, err: () => undefined };
  expect(
    await runProfileCommand(["--model-repository", root, "--model", "mlp", "--data", data], quiet),
  ).toBe(0);
  control = await explicitModelControl();
  server = await startTestServer(root, { ...control.options, driftWindow: WINDOW });
});

afterAll(async () => {
  await server?.shutdown(5000);
});

describe("input drift (PSI against the baseline) over real HTTP", () => {
  const during: number[] = [];

  it("reports nothing until the window is full, and counts what it holds", async () => {
    let page = await scrape(server.url);
    expect(page.types.get("hybridai_input_drift_psi")).toBe("gauge");
    expect(psiOf(page)).toEqual([]);
    await send(gaussianRows(2, MEANS, DEVIATIONS), 50, 4);
    page = await scrape(server.url);
    expect(samplesOf(page, "hybridai_input_drift_window_observations", labels)[0]?.value).toBe(200);
    expect(psiOf(page)).toEqual([]);
  });

  it("stays flat on a stream from the baseline's distribution", async () => {
    const next = gaussianRows(3, MEANS, DEVIATIONS);
    for (let round = 0; round < 6; round++) {
      await send(next, 25, 4);
      const psi = psiOf(await scrape(server.url));
      expect(psi).toHaveLength(1);
      during.push(psi[0]);
    }
    expect(during).toHaveLength(6);
    for (const psi of during) {
      expect(psi).toBeGreaterThanOrEqual(0);
      expect(psi).toBeLessThan(0.1);
    }
  });

  it("rises on a stream with one feature shifted by two deviations, above the 0.25 alert line", async () => {
    const shiftedMeans = [MEANS[0], MEANS[1] + 2 * DEVIATIONS[1], MEANS[2], MEANS[3]];
    const next = gaussianRows(4, shiftedMeans, DEVIATIONS);
    const rising: number[] = [];
    for (let round = 0; round < 3; round++) {
      await send(next, 25, 4); // 100 rows: a third of the window each round
      rising.push(psiOf(await scrape(server.url))[0]);
    }
    expect(rising).toHaveLength(3);
    expect(rising[0]).toBeGreaterThan(Math.max(...during));
    expect(rising[1]).toBeGreaterThan(rising[0]);
    expect(rising[2]).toBeGreaterThan(rising[1]);
    expect(rising[2]).toBeGreaterThan(0.25);
    expect(rising[2]).toBeGreaterThan(10 * Math.max(...during));
  });

  it("drops back once the window holds baseline rows again", async () => {
    await send(gaussianRows(5, MEANS, DEVIATIONS), 75, 4);
    expect(psiOf(await scrape(server.url))[0]).toBeLessThan(0.1);
  });

  it("stops exporting a version's drift when it is unloaded", async () => {
    const unloaded = await postJson(
      `${server.url}/v2/repository/models/mlp/unload`,
      {},
      control.headers,
    );
    expect(unloaded.status).toBe(200);
    const page = await scrape(server.url);
    expect(psiOf(page)).toEqual([]);
    expect(samplesOf(page, "hybridai_input_drift_window_observations", labels)).toEqual([]);
  });
});
