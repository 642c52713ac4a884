import type { IncomingHttpHeaders } from "node:http";
import type { Metadata } from "@grpc/grpc-js";
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { version } from "../version";
import { ATTR, SPAN } from "./attributes";
import { RequestTrace } from "./request-trace";
import { TraceSettings } from "./trace-settings";
import type { TracingConfig } from "./tracing-config";

/** `service.name` when neither `--trace-service-name` nor `OTEL_SERVICE_NAME` says otherwise. */
export const DEFAULT_SERVICE_NAME = "hybridai-serving-runtime";

const metadataGetter: TextMapGetter<Metadata> = {
  get: (metadata, key) => {
    const values = metadata.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
  keys: (metadata) => Object.keys(metadata.getMap()),
};

const headersGetter: TextMapGetter<IncomingHttpHeaders> = {
  get: (headers, key) => headers[key],
  keys: (headers) => Object.keys(headers),
};

/**
 * The runtime's OpenTelemetry tracing: a tracer provider of the Node SDK with its own sampler
 * ({@link TraceSettings}, which Triton's trace extension changes at run time), a batch span
 * processor and the OTLP/HTTP protobuf exporter, and the W3C trace context propagator that reads
 * `traceparent`/`tracestate` from requests and writes them on forwarded ones. Nothing is
 * registered globally (no context manager: a request's trace is passed along explicitly, which
 * costs nothing on requests that are not traced); several servers in one process keep their own
 * tracers.
 */
export class Tracing {
  /** The trace extension's settings, which are also the sampler. */
  readonly settings: TraceSettings;
  private readonly provider: NodeTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  /** @param config the exporter URL, service name and initial settings */
  constructor(readonly config: TracingConfig) {
    this.settings = new TraceSettings(config.settings, config.parentBased);
    let resource = resourceFromAttributes({
      [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: version,
    }).merge(detectResources({ detectors: [envDetector] }));
    if (config.serviceName !== undefined) {
      resource = resource.merge(
        resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
      );
    }
    this.provider = new NodeTracerProvider({
      resource,
      sampler: this.settings,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
    });
    this.tracer = this.provider.getTracer("hybridai-serving-runtime", version);
  }

  /**
   * Starts the span of an HTTP inference request, as a child of the caller's `traceparent`.
   *
   * @param headers the request's headers
   * @param model the model addressed
   * @param requestId its `X-Request-Id`
   */
  startHttp(headers: IncomingHttpHeaders, model: string, requestId?: string): RequestTrace {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, headersGetter);
    return this.start(parent, SPAN.httpInfer, {
      [ATTR.httpMethod]: "POST",
      [ATTR.httpRoute]: "/v2/models/{model_name}/infer",
      [ATTR.protocol]: "http",
      [ATTR.model]: model,
      ...(requestId !== undefined ? { [ATTR.requestId]: requestId } : {}),
      ...(headers["hybridai-forwarded"] !== undefined
        ? { [ATTR.forwardedBy]: String(headers["hybridai-forwarded"]) }
        : {}),
    });
  }

  /**
   * Starts the span of a gRPC `ModelInfer` call (or one message of `ModelStreamInfer`), as a
   * child of the caller's `traceparent` metadata.
   *
   * @param metadata the call's metadata
   * @param model the model addressed
   * @param requestId the call's request id
   */
  startGrpc(metadata: Metadata, model: string, requestId?: string): RequestTrace {
    const parent = this.propagator.extract(ROOT_CONTEXT, metadata, metadataGetter);
    return this.start(parent, SPAN.grpcInfer, {
      [ATTR.rpcSystem]: "grpc",
      [ATTR.rpcService]: "inference.GRPCInferenceService",
      [ATTR.rpcMethod]: "ModelInfer",
      [ATTR.protocol]: "grpc",
      [ATTR.model]: model,
      ...(requestId !== undefined ? { [ATTR.requestId]: requestId } : {}),
    });
  }

  /** Exports the spans still buffered and stops exporting. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  private start(parent: Context, name: string, attributes: Attributes): RequestTrace {
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return new RequestTrace(span, parent, this.tracer, this.propagator);
  }
}
