import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { authorizeCall, callerName } from "../access-rules";
import { InferenceError } from "../protocol/errors";
import { JsonCensus } from "../protocol/json-census";
import type { LoadedVersion } from "../repository/loaded-version";
import { FORWARDED_HEADER } from "../resilience/remote-client";
import type { ClientLink } from "../scheduling/scheduler";
import { readBody } from "./body-reader";
import type { AppContext } from "./context";
import { inferReplies } from "./infer-replies";
import { binaryHeaderLength, versionParam } from "./request-parts";

/**
 * Counts a request's JSON as it arrives ({@link JsonCensus}), so a body holding more objects
 * than any request for the model can is refused before the rest of it is buffered. Binary
 * requests are counted over their JSON header only; one with a malformed header length is left
 * to the decoder, which names the problem.
 */
function censusOf(target: LoadedVersion, headerLength: string | undefined): JsonCensus | undefined {
  if (headerLength === undefined) return new JsonCensus(target.signature);
  return /^\d+$/.test(headerLength)
    ? new JsonCensus(target.signature, Number(headerLength))
    : undefined;
}

const INFER_PATH = /^\/v2\/models\/([^/?]+)(?:\/versions\/([^/?]+))?\/infer(?:\?.*)?$/;

/**
 * The client of a request as the scheduler watches it: gone once its connection closed. The
 * request's socket is watched (not the response, which a pipelined request gets only later).
 */
function clientOf(request: IncomingMessage, response: ServerResponse): ClientLink {
  const socket = request.socket;
  return {
    gone: () => !response.writableEnded && socket.destroyed,
    watch(listener) {
      const onClose = () => {
        if (!response.writableEnded) listener();
      };
      socket.once("close", onClose);
      return () => socket.off("close", onClose);
    },
  };
}

function isUnavailable(error: unknown): error is InferenceError {
  return error instanceof InferenceError && error.kind === "UNAVAILABLE";
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer` on plain Node HTTP: JSON or binary-extension
 * requests; the response is JSON, or JSON plus binary tensors with
 * `Inference-Header-Content-Length`. This is the one path every inference takes, so it skips the
 * framework: one body read, one decode, one scheduler submission, one `writeHead` and `end`. It
 * answers exactly as the framework's routes do (the same error mapping, auth check, request id
 * and drain header). A client that disconnects while its request is queued takes it out of the
 * queue. Requests keep being served while the server drains (with `Connection: close`).
 *
 * @param context what the routes work with
 * @param logger where server errors are logged
 * @returns a handler that answers inference requests and returns false for anything else
 */
export function inferEndpoint(
  context: AppContext,
  logger: Logger,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { repository, inference, clients, audit, tracing } = context;
  const { fail, send } = inferReplies(context, logger);
  return (request, response) => {
    if (request.method !== "POST") return false;
    const match = INFER_PATH.exec(request.url ?? "");
    if (!match) return false;
    const requestId = request.headers["x-request-id"] as string | undefined;
    const facts = audit?.begin(requestId);
    const model = decode(match[1]);
    const trace = tracing?.startHttp(request.headers, model, requestId);
    if (facts && trace) {
      facts.traceId = trace.traceId;
      facts.spanId = trace.spanId;
    }
    try {
      if (facts) facts.model = model;
      const caller = authorizeCall("inference", request.headers.authorization, context);
      if (facts) facts.client = callerName(caller, context);
      if (caller) clients?.checkModel(caller, model, repository.has(model));
      let target: LoadedVersion | undefined;
      let absent: InferenceError | undefined;
      try {
        target = repository.resolve(
          model,
          versionParam(match[2] === undefined ? undefined : decode(match[2])),
        );
      } catch (error) {
        // A model with no loaded version may still answer through its fallback.
        if (!isUnavailable(error) || !repository.fallbackRoute(model)) throw error;
        absent = error;
      }
      if (facts) facts.version = target?.signature.version;
      if (caller) clients?.admit(caller, target?.signature.name ?? model);
      const headerLength = binaryHeaderLength(request.headers);
      const census = target && censusOf(target, headerLength);
      readBody(
        request,
        context.bodyLimitBytes,
        (error, body) => {
          if (error || !body) {
            fail(request, response, error ?? new Error("no body"), facts, trace, true);
            return;
          }
          if (facts) {
            facts.body = body;
            facts.binary = headerLength !== undefined;
          }
          const parts = {
            body,
            headerLength,
            requestId,
            forwarded: request.headers[FORWARDED_HEADER] !== undefined,
            trace,
          };
          const client = clientOf(request, response);
          (target
            ? inference.infer(target, parts, client, facts)
            : inference.inferAbsent(model, parts, absent as InferenceError, client, facts)
          ).then(
            (encoded) => {
              target?.metrics.answered("http", true);
              send(request, response, encoded, facts, trace);
            },
            (failure: Error) => {
              target?.metrics.answered("http", false);
              fail(request, response, failure, facts, trace);
            },
          );
        },
        census && ((chunk) => census.feed(chunk)),
        headerLength !== undefined && /^\d+$/.test(headerLength) ? Number(headerLength) : 0,
      );
    } catch (error) {
      request.resume();
      fail(request, response, error as Error, facts, trace);
    }
    return true;
  };
}
