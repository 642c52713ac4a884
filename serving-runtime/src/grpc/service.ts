import {
  status as grpcStatus,
  type handleUnaryCall,
  Metadata,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { Logger } from "pino";
import { type Access, callerName, checkModelAllowed, visibleTo } from "../access-rules";
import type { AppContext } from "../http/context";
import { serverReady } from "../http/routes-health";
import { EXTENSIONS } from "../http/routes-server";
import type { ApiClient } from "../limits/client-registry";
import type { AuditEnding } from "../observability/audit/audit-record";
import {
  ERROR_STATUS,
  InferenceError,
  invalidArgument,
  notFound,
  unavailable,
} from "../protocol/errors";
import type { LoadedVersion } from "../repository/loaded-version";
import { modelMetadata, servedModelConfig } from "../repository/model-views";
import { REQUEST_ID, requestIds } from "../request-id";
import type { ClientLink } from "../scheduling/scheduler";
import { collectStatistics } from "../statistics/model-statistics";
import { rememberTraceOf } from "../tracing/log-fields";
import type { RequestTrace } from "../tracing/request-trace";
import { changeTraceSetting, readTraceSetting } from "../tracing/trace-setting-api";
import { version as serverVersion } from "../version";
import { checkAccess } from "./access";
import { grpcCodec } from "./infer-codec";
import { clientOf, InferStreams } from "./infer-streams";
import type {
  ModelInferRequest,
  ModelInferResponse,
  ModelRequest,
  RepositoryIndexRequest,
  RepositoryModelRequest,
  TraceSettingRequest,
} from "./messages";
import { rawBytesOf, refusalOf } from "./raw-messages";
import { GRPC_STATUS, serviceError } from "./status";
import { traceSettingChanges, traceSettingMessage } from "./trace-setting";

/** What the gRPC service works with: the HTTP routes' context, shared, and a logger. */
export interface GrpcContext extends AppContext {
  /** The server's logger. */
  logger: Logger;
  /** Called after a model load or unload (readiness may have changed). */
  onRepositoryChanged?: () => void;
}

/** The service's handlers, and the streams to end when the server drains. */
export interface InferenceServiceImplementation {
  /** The handlers, by method name. */
  handlers: UntypedServiceImplementation;
  /** Open `ModelStreamInfer` streams. */
  streams: InferStreams;
}

type Handler<Request> = (
  request: Request,
  call: ServerUnaryCall<Request, unknown>,
  caller: ApiClient | undefined,
  id: string,
) => unknown;

/** How a failed call ends in the audit log: the HTTP status its error maps from, and its message. */
function auditFailure(error: unknown): AuditEnding {
  if (error instanceof InferenceError) {
    return { status: ERROR_STATUS[error.kind], error: error.message };
  }
  return { status: 500, error: "internal server error" };
}

/** A version field: empty for the server's choice, else a positive integer. */
function versionOf(version: string | undefined): string | undefined {
  if (!version) return undefined;
  if (!/^\d+$/.test(version)) {
    throw invalidArgument(`invalid model version '${version}'; versions are numbers, e.g. 1`);
  }
  return String(Number(version));
}

function configParameter(request: RepositoryModelRequest): unknown {
  const config = request.parameters.config;
  if (config === undefined) return undefined;
  if (config.parameter_choice !== "string_param") {
    throw invalidArgument("parameters.config must be a string holding the model config as JSON");
  }
  try {
    return JSON.parse(config.string_param ?? "");
  } catch (error) {
    throw invalidArgument(`parameters.config is not valid JSON: ${(error as Error).message}`);
  }
}

/** Ends a gRPC call's trace (tracing on) with the status its caller gets. */
function endGrpcTrace(trace: RequestTrace | undefined, error?: unknown): void {
  if (!trace) return;
  if (error === undefined) {
    trace.end(200, undefined, 0);
    return;
  }
  rememberTraceOf(error, trace);
  const { status, error: message } = auditFailure(error);
  const code = error instanceof InferenceError ? GRPC_STATUS[error.kind] : grpcStatus.INTERNAL;
  trace.end(status, message, code);
}

/**
 * One `ModelInfer` call (unary or on a stream): checks the caller's model allow-list and limits,
 * finds the version, runs it through the inference service and writes the audit record.
 */
function inferCall(
  context: GrpcContext,
  request: ModelInferRequest,
  client: ClientLink,
  caller: ApiClient | undefined,
  id: string,
  metadata: Metadata,
): Promise<ModelInferResponse> {
  const { repository, inference, audit, tracing } = context;
  const facts = audit?.begin(id, "grpc");
  const trace = tracing?.startGrpc(metadata, request.model_name ?? "", id);
  if (facts && trace) {
    facts.traceId = trace.traceId;
    facts.spanId = trace.spanId;
  }
  let target: LoadedVersion;
  try {
    if (facts) {
      facts.model = request.model_name ?? "";
      facts.client = callerName(caller, context);
      facts.body = rawBytesOf(request);
      facts.binary = true;
    }
    const model = request.model_name ?? "";
    if (caller) context.clients?.checkModel(caller, model, repository.has(model));
    const refusal = refusalOf(request);
    if (refusal) throw refusal;
    target = repository.resolve(model, versionOf(request.model_version));
    if (facts) facts.version = target.signature.version;
    if (caller) context.clients?.admit(caller, target.signature.name);
  } catch (error) {
    endGrpcTrace(trace, error);
    if (facts) audit?.end(facts, auditFailure(error));
    throw error;
  }
  const carried = rawBytesOf(request)?.length ?? context.bodyLimitBytes;
  const codec = grpcCodec(request, carried, id, trace);
  return inference.inferWith(target, codec, client, facts).then(
    (response) => {
      target.metrics.answered("grpc", true);
      endGrpcTrace(trace);
      if (facts) audit?.end(facts, { status: 200 });
      return response;
    },
    (error: unknown) => {
      target.metrics.answered("grpc", false);
      endGrpcTrace(trace, error);
      if (facts) audit?.end(facts, auditFailure(error));
      throw error;
    },
  );
}

/**
 * Wraps a unary RPC's handler: gives the call its request id, checks access, and answers with the
 * id in the answer's headers, or with the error mapped to its gRPC status.
 */
function unaryHandler(context: GrpcContext, requestId: (metadata: Metadata) => string) {
  return <Request>(access: Access, handler: Handler<Request>): handleUnaryCall<Request, unknown> =>
    (call, callback) => {
      const id = requestId(call.metadata);
      // The id goes out with the answer's headers, in the same write as the message and the
      // trailers (sending the headers first would cost a write and a packet of their own).
      const answer = (value: unknown) => {
        const metadata = new Metadata();
        metadata.set(REQUEST_ID, id);
        call.sendMetadata(metadata);
        callback(null, value);
      };
      const fail = (error: unknown) => callback(serviceError(error, id, context.logger));
      try {
        const caller = checkAccess(access, call.metadata, context);
        const result = handler(call.request, call, caller, id);
        if (result instanceof Promise) result.then(answer, fail);
        else answer(result);
      } catch (error) {
        fail(error);
      }
    };
}

/**
 * The handlers of `inference.GRPCInferenceService`: the same repository, inference core
 * (validation, cache, breaker, fallback, scheduler, batcher), statistics, lifecycle flags and
 * tokens as the HTTP routes, so every RPC answers as its HTTP counterpart does. Each call gets
 * a request id (the `x-request-id` metadata, or a generated one) sent back in its initial
 * metadata and in the trailers of an error; errors carry the HTTP side's messages under the
 * matching gRPC status.
 *
 * @param context what the handlers work with
 */
export function inferenceService(context: GrpcContext): InferenceServiceImplementation {
  const { repository, state, logger } = context;
  const nextRequestId = requestIds();
  const requestId = (metadata: Metadata) => nextRequestId(metadata.get(REQUEST_ID)[0]);

  const streams = new InferStreams({
    infer: (request, client, caller, id, metadata) => {
      try {
        return inferCall(context, request, client, caller, id, metadata);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    authorize: (metadata) => checkAccess("inference", metadata, context),
    requestId,
    logger,
  });

  const unary = unaryHandler(context, requestId);

  const repositoryChange = async (work: () => Promise<void>) => {
    if (state.draining) throw unavailable("the server is shutting down");
    try {
      await state.track(work);
    } finally {
      context.onRepositoryChanged?.();
    }
    return {};
  };

  // Trace settings: reading takes the inference token; changing them is model control.
  const has = (name: string) => repository.has(name);
  const traceRead = unary<TraceSettingRequest>("inference", (request, _call, caller) => {
    const model = request.model_name || undefined;
    if (model !== undefined) checkModelAllowed(caller, model);
    return traceSettingMessage(readTraceSetting(context.tracing, model, has));
  });
  const traceChange = unary<TraceSettingRequest>("repository", (request) => {
    const model = request.model_name || undefined;
    const view = changeTraceSetting(context.tracing, model, traceSettingChanges(request), has);
    return traceSettingMessage(view);
  });

  const handlers: UntypedServiceImplementation = {
    ServerLive: unary("open", () => ({ live: true })),
    ServerReady: unary("open", () => ({ ready: serverReady(context) })),
    ModelReady: unary<ModelRequest>("inference", ({ name = "", version }, _call, caller) => {
      checkModelAllowed(caller, name);
      const requested = versionOf(version);
      if (!repository.has(name)) throw notFound(`unknown model '${name}'`);
      const ready = repository
        .versionsOf(name)
        .some((v) => requested === undefined || v.signature.version === requested);
      return { ready: ready && !state.draining };
    }),
    ServerMetadata: unary("inference", () => ({
      name: "hybridai",
      version: serverVersion,
      extensions: EXTENSIONS,
    })),
    ModelMetadata: unary<ModelRequest>("inference", ({ name = "", version }, _call, caller) => {
      checkModelAllowed(caller, name);
      const target = repository.resolve(name, versionOf(version));
      const versions = repository.versionsOf(name).map((v) => v.signature.version);
      const { parameters: _http, ...metadata } = modelMetadata(target, versions);
      return metadata;
    }),
    ModelConfig: unary<ModelRequest>("inference", ({ name = "", version }, _call, caller) => {
      checkModelAllowed(caller, name);
      return { config: servedModelConfig(repository.resolve(name, versionOf(version))) };
    }),
    ModelStatistics: unary<ModelRequest>("inference", ({ name, version }, _call, caller) => {
      if (name) checkModelAllowed(caller, name);
      const stats = collectStatistics(repository, name || undefined, versionOf(version));
      return { model_stats: visibleTo(caller, stats, (entry) => entry.name) };
    }),
    RepositoryIndex: unary<RepositoryIndexRequest>(
      "inference",
      async ({ ready }, _call, caller) => ({
        models: visibleTo(caller, await repository.index(ready === true), (row) => row.name),
      }),
    ),
    RepositoryModelLoad: unary<RepositoryModelRequest>("repository", (request) =>
      repositoryChange(() => repository.load(request.model_name ?? "", configParameter(request))),
    ),
    RepositoryModelUnload: unary<RepositoryModelRequest>("repository", (request) =>
      repositoryChange(() => repository.unload(request.model_name ?? "")),
    ),
    ModelInfer: unary<ModelInferRequest>("inference", (request, call, caller, id) =>
      inferCall(context, request, clientOf(call), caller, id, call.metadata),
    ),
    ModelStreamInfer: streams.handle,
    TraceSetting: ((call, callback) => {
      const reading = Object.keys(call.request.settings ?? {}).length === 0;
      (reading ? traceRead : traceChange)(call, callback);
    }) as handleUnaryCall<TraceSettingRequest, unknown>,
  };
  return { handlers, streams };
}
