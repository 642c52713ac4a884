import { Metadata, type ServerDuplexStream } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { ApiClient } from "../limits/client-registry";
import { InferenceError, unavailable } from "../protocol/errors";
import { REQUEST_ID } from "../request-id";
import type { ClientLink } from "../scheduling/scheduler";
import { errorTraceFields } from "../tracing/log-fields";
import type { ModelInferRequest, ModelInferResponse } from "./messages";
import { serviceError } from "./status";

/** `inference.ModelStreamInferResponse`. */
export interface ModelStreamInferResponse {
  /** Empty when the request succeeded. */
  error_message: string;
  /** The response; on an error, the model and the request's id only. */
  infer_response: Partial<ModelInferResponse>;
}

/** What a stream needs from the service. */
export interface StreamHandlers {
  /**
   * Answers one request (the same path as the unary `ModelInfer`), admitting it against the
   * caller's limits when a tokens file is set.
   */
  infer(
    request: ModelInferRequest,
    client: ClientLink,
    caller: ApiClient | undefined,
    id: string,
    metadata: Metadata,
  ): Promise<ModelInferResponse>;
  /**
   * Throws UNAUTHENTICATED (or FORBIDDEN) when the call's metadata lacks the token; returns the
   * tokens file's client, when one is set.
   */
  authorize(metadata: Metadata): ApiClient | undefined;
  /** The call's request id: its `x-request-id` metadata or a generated one. */
  requestId(metadata: Metadata): string;
  /** Where server errors are logged. */
  logger: Logger;
}

interface OpenStream {
  call: ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>;
  /** Requests being answered. */
  inFlight: number;
  /** The client half-closed the stream: no request follows. */
  clientEnded: boolean;
}

/** What every kind of call has: a cancelled flag and a `cancelled` event. */
interface AnyCall {
  readonly cancelled: boolean;
  once(event: "cancelled", listener: () => void): unknown;
  off(event: "cancelled", listener: () => void): unknown;
}

/** The client behind a call, as the scheduler watches it: gone once the call is cancelled. */
export function clientOf(call: AnyCall): ClientLink {
  return {
    gone: () => call.cancelled,
    watch(listener) {
      call.once("cancelled", listener);
      return () => call.off("cancelled", listener);
    },
  };
}

function errorResponse(request: ModelInferRequest, message: string): ModelStreamInferResponse {
  return {
    error_message: message,
    infer_response: {
      model_name: request.model_name ?? "",
      model_version: request.model_version ?? "",
      id: request.id ?? "",
    },
  };
}

/**
 * `ModelStreamInfer` as Triton serves it: every request on the stream goes through the same path
 * as a unary `ModelInfer` and gets one `ModelStreamInferResponse`, written as soon as it is ready
 * (clients match them by `id`); a failed request answers `error_message` (the HTTP side's
 * message) and the stream goes on. The token is checked once, when the stream opens. One stream
 * costs a fraction of a unary call per request (no HTTP/2 stream, headers and trailers each).
 * On drain, {@link InferStreams.close} ends every stream with OK once its requests in flight are
 * answered; requests arriving after that get "the server is shutting down".
 */
export class InferStreams {
  private readonly open = new Set<OpenStream>();
  private closing = false;

  /** @param handlers inference, authorization, request ids and logging */
  constructor(private readonly handlers: StreamHandlers) {}

  /** The `ModelStreamInfer` handler. */
  readonly handle = (call: ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>) => {
    const { handlers } = this;
    const id = handlers.requestId(call.metadata);
    let caller: ApiClient | undefined;
    try {
      caller = handlers.authorize(call.metadata);
    } catch (error) {
      call.emit("error", serviceError(error, id, handlers.logger));
      return;
    }
    const headers = new Metadata();
    headers.set(REQUEST_ID, id);
    call.sendMetadata(headers);
    const stream: OpenStream = { call, inFlight: 0, clientEnded: false };
    this.open.add(stream);
    const client = clientOf(call);
    const settle = () => {
      stream.inFlight--;
      this.endIfDone(stream);
    };
    call.on("data", (request: ModelInferRequest) => {
      if (this.closing) {
        call.write(errorResponse(request, unavailable("the server is shutting down").message));
        return;
      }
      stream.inFlight++;
      handlers.infer(request, client, caller, id, call.metadata).then(
        (response) => {
          if (!call.cancelled) call.write({ error_message: "", infer_response: response });
          settle();
        },
        (error: unknown) => {
          // Logged as a unary call's are: server faults, not the client's mistakes.
          if (!(error instanceof InferenceError) || error.kind === "INTERNAL") {
            handlers.logger.error(
              { err: error, request_id: id, ...errorTraceFields(error) },
              "request failed",
            );
          }
          const message = error instanceof InferenceError ? error.message : "internal server error";
          if (!call.cancelled) call.write(errorResponse(request, message));
          settle();
        },
      );
    });
    call.on("end", () => {
      stream.clientEnded = true;
      this.endIfDone(stream);
    });
    call.on("cancelled", () => this.open.delete(stream));
  };

  /** Ends every open stream once its requests in flight are answered (the drain). */
  close(): void {
    this.closing = true;
    for (const stream of [...this.open]) this.endIfDone(stream);
  }

  /**
   * Ends a stream with OK when nothing is in flight any more and no request follows: the client
   * half-closed it, or the server drains.
   */
  private endIfDone(stream: OpenStream): void {
    if (stream.inFlight > 0 || !(stream.clientEnded || this.closing)) return;
    if (!this.open.delete(stream)) return;
    if (!stream.call.cancelled) stream.call.end();
  }
}
