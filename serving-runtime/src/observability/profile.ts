import { createReadStream } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import pino from "pino";
import { ServerMetrics } from "../metrics";
import { decodeInferRequest } from "../protocol/infer-request";
import type { ModelSignature } from "../protocol/tensor-spec";
import { ModelRepository } from "../repository/model-repository";
import { type BaselineProfile, writeBaseline } from "./baseline";
import { BaselineBuilder } from "./baseline-builder";

/** What `hybridai-serve profile` profiles. */
export interface ProfileRequest {
  /** The model repository. */
  repository: string;
  /** Model name. */
  model: string;
  /** Version; the highest the model's config selects when absent. */
  version?: string;
  /** JSON-lines file of inference requests. */
  data: string;
  /** Bins each distribution aims for. */
  bins: number;
  /** Most requests read from the file. */
  limit: number;
}

/** A written baseline. */
export interface ProfileResult {
  /** Where it was written (`<repository>/<model>/<version>/baseline.json`). */
  file: string;
  /** The baseline. */
  profile: BaselineProfile;
  /** Requests in the file beyond `limit`, not read. */
  truncated: boolean;
}

/**
 * Loads one model from the repository as the server would (its config, its signature, dimension
 * 0 as the batch when it can batch), so requests are checked exactly as at serve time; the
 * largest default batch size is used so that sample requests of any batch size pass.
 */
async function loadSignature(
  root: string,
  model: string,
  version: string | undefined,
): Promise<{ signature: ModelSignature; directory: string; close: () => Promise<void> }> {
  const repository = new ModelRepository(root, {
    cores: availableParallelism(),
    interOpThreads: 1,
    intraOpThreads: 1,
    defaultMaxQueueSize: 1,
    defaultMaxBatchSize: 1 << 20,
    inlineThresholdMicroseconds: 100,
    logger: pino({ level: "silent" }),
    metrics: new ServerMetrics(),
  });
  try {
    await repository.load(model);
    const loaded = repository.resolve(model, version);
    const directory = path.join(root, model, loaded.signature.version);
    return { signature: loaded.signature, directory, close: () => repository.close() };
  } catch (error) {
    await repository.close();
    throw error;
  }
}

/**
 * Profiles a model version from sample requests and writes `baseline.json` beside its
 * `model.onnx`. Each non-empty line of the data file must be one inference request (the JSON
 * body of `POST /v2/models/{m}/infer`); a line the server would refuse stops the run with its
 * line number and the server's message.
 *
 * @param request repository, model, version, data file, bins and limit
 */
export async function profileModel(request: ProfileRequest): Promise<ProfileResult> {
  const root = path.resolve(request.repository);
  const { signature, directory, close } = await loadSignature(root, request.model, request.version);
  try {
    const builder = new BaselineBuilder(signature, request.bins);
    const lines = createInterface({
      input: createReadStream(request.data, { encoding: "utf8" }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let number = 0;
    let read = 0;
    let truncated = false;
    for await (const line of lines) {
      number++;
      if (line.trim() === "") continue;
      if (read === request.limit) {
        truncated = true;
        lines.close();
        break;
      }
      try {
        builder.add(decodeInferRequest(Buffer.from(line), undefined, signature));
      } catch (error) {
        throw new Error(`${request.data} line ${number}: ${(error as Error).message}`);
      }
      read++;
    }
    const profile = builder.build(path.basename(request.data), new Date().toISOString());
    return { file: await writeBaseline(directory, profile), profile, truncated };
  } finally {
    await close();
  }
}
