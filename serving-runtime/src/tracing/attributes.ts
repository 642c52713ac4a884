/**
 * Span names and attribute keys, in one place. Keys from the OpenTelemetry semantic conventions
 * where one exists (HTTP, RPC, errors, server address); `hybridai.*` keys for what the
 * conventions do not name (model, batch, placement, fallback, shadow, cache).
 */
export const ATTR = {
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  rpcGrpcStatus: "rpc.grpc.status_code",
  errorType: "error.type",
  urlFull: "url.full",
  serverAddress: "server.address",
  model: "hybridai.model.name",
  version: "hybridai.model.version",
  requestId: "hybridai.request_id",
  protocol: "hybridai.protocol",
  forwardedBy: "hybridai.forwarded",
  cacheHit: "hybridai.cache.hit",
  batchSize: "hybridai.batch.size",
  batchRequests: "hybridai.batch.requests",
  instance: "hybridai.instance",
  placement: "hybridai.placement",
  fallbackTrigger: "hybridai.fallback.trigger",
  fallbackEndpoint: "hybridai.fallback.endpoint",
  fallbackModel: "hybridai.fallback.model",
  shadowSampled: "hybridai.shadow.sampled",
  shadowTarget: "hybridai.shadow.target",
  shadowDisagrees: "hybridai.shadow.disagrees",
  stepModel: "hybridai.ensemble.step_model",
} as const;

/** Span names (low cardinality: the model is an attribute, never part of a name). */
export const SPAN = {
  httpInfer: "POST /v2/models/{model_name}/infer",
  grpcInfer: "inference.GRPCInferenceService/ModelInfer",
  decode: "decode",
  cache: "cache lookup",
  queue: "queue wait",
  batch: "batch",
  execute: "execute",
  encode: "encode",
  fallback: "fallback",
  shadow: "shadow",
  step: "ensemble remote step",
} as const;
