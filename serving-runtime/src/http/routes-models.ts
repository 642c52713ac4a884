import type { FastifyInstance } from "fastify";
import type { LoadedVersion } from "../repository/loader";
import type { AppContext } from "./context";
import { versionParam } from "./request-parts";

interface ModelParams {
  model: string;
  version?: string;
}

function metadata(target: LoadedVersion, versions: string[]): string {
  const { signature } = target;
  const parameters: Record<string, string | number> = {
    execution_provider: target.executionProvider,
    execution_placement: target.placement(),
    instance_count: target.instanceCount(),
    intra_op_thread_count: target.intraOpThreads,
    max_batch_size: signature.maxBatchSize,
  };
  if (target.executionProviderFallbackReason) {
    parameters.execution_provider_fallback_reason = target.executionProviderFallbackReason;
  }
  return JSON.stringify({
    name: signature.name,
    versions,
    platform: "onnxruntime_onnx",
    inputs: signature.inputs,
    outputs: signature.outputs,
    parameters,
  });
}

/** Prefix of the `parameters` entries of a served config that say where each value came from. */
export const ORIGIN_PREFIX = "origin.";

/**
 * Model metadata (`GET /v2/models/{m}[/versions/{v}]`), readiness (`…/ready`: 200 or 503,
 * 404 for an unknown model) and configuration (`…/config`): the effective configuration in
 * Triton's form, auto-completed values included, with one `parameters["origin.<field>"]` entry
 * per field saying where its value came from (so the body stays a valid Triton `ModelConfig`).
 */
export function modelRoutes(app: FastifyInstance, context: AppContext): void {
  const { repository } = context;
  const paths = ["/v2/models/:model", "/v2/models/:model/versions/:version"];
  for (const base of paths) {
    app.get<{ Params: ModelParams }>(base, async (request, reply) => {
      const { model, version } = request.params;
      const target = repository.resolve(model, versionParam(version));
      const versions = repository.versionsOf(model).map((v) => v.signature.version);
      return reply.type("application/json").send(metadata(target, versions));
    });
    app.get<{ Params: ModelParams }>(`${base}/ready`, async (request, reply) => {
      const { model, version } = request.params;
      const requested = versionParam(version);
      if (!repository.has(model)) {
        return reply
          .code(404)
          .type("application/json")
          .send(JSON.stringify({ error: `unknown model '${model}'` }));
      }
      const ready = repository
        .versionsOf(model)
        .some((v) => requested === undefined || v.signature.version === requested);
      return reply.code(ready && !context.state.draining ? 200 : 503).send();
    });
    app.get<{ Params: ModelParams }>(`${base}/config`, async (request, reply) => {
      const { model, version } = request.params;
      const target = repository.resolve(model, versionParam(version));
      const { signature, config, origins } = target;
      const dims = (shape: number[]) => (signature.maxBatchSize > 0 ? shape.slice(1) : shape);
      const parameters: Record<string, { string_value: string }> = {
        ...config.parameters,
        execution_placement: { string_value: target.placement() },
      };
      for (const [field, origin] of Object.entries(origins)) {
        parameters[`${ORIGIN_PREFIX}${field}`] = { string_value: origin };
      }
      const body = {
        ...config,
        parameters,
        name: signature.name,
        platform: "onnxruntime_onnx",
        backend: "onnxruntime",
        input: signature.inputs.map((i) => ({
          name: i.name,
          data_type: `TYPE_${i.datatype === "BYTES" ? "STRING" : i.datatype}`,
          dims: dims(i.shape),
        })),
        output: signature.outputs.map((o) => ({
          name: o.name,
          data_type: `TYPE_${o.datatype === "BYTES" ? "STRING" : o.datatype}`,
          dims: dims(o.shape),
        })),
      };
      return reply.type("application/json").send(JSON.stringify(body));
    });
  }
}
