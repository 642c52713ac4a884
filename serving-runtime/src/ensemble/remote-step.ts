import type { Logger } from "pino";
import { invalidArgument } from "../protocol/errors";
import { httpBodyOf } from "../protocol/http-body";
import type { DecodedInput, InferRequest } from "../protocol/infer-request";
import { formatShape } from "../protocol/tensor-spec";
import { CIRCUIT_STATE_CODE, CircuitBreaker } from "../resilience/circuit-breaker";
import {
  type RemoteAnswer,
  RemoteCallError,
  RemoteInferenceClient,
} from "../resilience/remote-client";
import { errorText } from "../resilience/remote-fallback";
import { type InferResult, SchedulingError } from "../scheduling/scheduler";
import { decodeInferResponse } from "../shadow/decode-response";
import { ATTR, SPAN } from "../tracing/attributes";
import { endSpan } from "../tracing/request-trace";
import type { EnsembleStep, RemoteStepConfig } from "./ensemble-config";
import type { EnsembleMetrics, RemoteStepResult } from "./ensemble-metrics";
import type { EnsembleTensorSpec } from "./ensemble-signatures";
import type { StepCall } from "./local-step";

/** What a {@link RemoteStep} is made of. */
export interface RemoteStepOptions {
  /** The ensemble's name. */
  ensemble: string;
  /** The step; its `remote` block says where it runs. */
  step: EnsembleStep & { remote: RemoteStepConfig };
  /** What each ensemble tensor must be, to check the endpoint's outputs. */
  tensors: ReadonlyMap<string, EnsembleTensorSpec>;
  /** The server's ensemble metrics. */
  metrics: EnsembleMetrics;
  /** Logger. */
  logger: Logger;
}

/**
 * An ensemble step that runs on a remote Open Inference Protocol endpoint (another
 * hybridai-serve, Triton, KServe) — so one pipeline can span an edge device and the cloud. It
 * sends the step's inputs with the runtime's remote client (`POST {url}/v2/models/{model}/infer`,
 * binary tensor extension, bearer token from its file, request id, `hybridai-forwarded: step`),
 * behind the endpoint's own circuit breaker, and checks each output the answer carries against
 * what the ensemble expects of it. A request that another runtime forwarded is not sent on.
 */
export class RemoteStep {
  private readonly client: RemoteInferenceClient;
  private readonly breaker: CircuitBreaker;

  /** @param options ensemble, step, expected tensors, metrics and logger */
  constructor(private readonly options: RemoteStepOptions) {
    const { ensemble, step, metrics, logger } = options;
    const labels = { model: ensemble, step: step.label };
    this.client = new RemoteInferenceClient({
      url: step.remote.url,
      tokenFile: step.remote.token_file,
      timeoutMs: step.remote.timeout_ms,
    });
    this.breaker = new CircuitBreaker({
      model: `${ensemble}/${step.label}`,
      config: step.remote.circuit_breaker,
      onStateChange: (change) => {
        metrics.remoteBreakerState.set(labels, CIRCUIT_STATE_CODE[change.to]);
        logger.warn(
          { ...labels, endpoint: step.remote.url, from: change.from, to: change.to },
          "remote ensemble step circuit breaker state changed",
        );
      },
    });
    metrics.remoteBreakerState.set(labels, CIRCUIT_STATE_CODE.closed);
  }

  /**
   * Runs the step on the endpoint.
   * @throws SchedulingError (503) when the endpoint cannot answer, InferenceError (400) when it
   * rejects the request, each naming the step and the endpoint.
   */
  async run(call: StepCall): Promise<InferResult> {
    const { url } = this.options.step.remote;
    if (call.request.forwarded) {
      this.count("not_called");
      throw new SchedulingError(
        "UNAVAILABLE",
        `${call.who}: not sent to ${url}: the request was forwarded by another runtime, and a forwarded request is never forwarded again`,
        "error",
      );
    }
    const permit = this.breaker.tryAcquire();
    if (!permit) {
      this.count("circuit_open");
      throw new SchedulingError(
        "UNAVAILABLE",
        `${call.who}: not sent to ${url}: its circuit breaker is open after repeated failures`,
        "overload",
      );
    }
    const abandon = new AbortController();
    const unwatch = call.link.watch(() => abandon.abort());
    if (call.link.gone()) abandon.abort();
    const traced = call.trace?.outgoing(SPAN.step, {
      [ATTR.stepModel]: this.options.step.model_name,
      [ATTR.fallbackEndpoint]: url,
    });
    let answer: RemoteAnswer;
    try {
      const body = httpBodyOf(this.requestOf(call), call.request.id);
      answer = await this.client.infer({
        model: this.options.step.model_name,
        body: body.body,
        headerLength: body.headerLength,
        requestId: call.request.id,
        purpose: "step",
        signal: abandon.signal,
        traceHeaders: traced?.headers,
      });
    } catch (error) {
      endSpan(traced?.span, error);
      const failure = error instanceof RemoteCallError ? error.failure : "error";
      if (failure === "cancelled") permit.release();
      else permit.failure();
      this.count(failure);
      throw new SchedulingError(
        "UNAVAILABLE",
        `${call.who}: the endpoint ${url} did not answer: ${(error as Error).message}`,
        failure === "timeout" ? "timeout" : failure === "cancelled" ? "cancelled" : "error",
      );
    } finally {
      unwatch();
    }
    traced?.span?.setAttribute(ATTR.httpStatus, answer.status);
    traced?.span?.end();
    if (answer.status === 400) {
      permit.success(answer.durationMs);
      this.count("rejected");
      throw invalidArgument(
        `${call.who}: the endpoint ${url} rejected the request: ${errorText(answer.body)}`,
      );
    }
    try {
      if (answer.status !== 200) {
        throw new Error(`it answered ${answer.status}: ${errorText(answer.body)}`);
      }
      const outputs = this.outputsOf(answer, call);
      permit.success(answer.durationMs);
      this.count("success");
      call.onExecuted({ inputUs: 0, inferUs: answer.durationMs * 1000, outputUs: 0 });
      return outputs;
    } catch (error) {
      permit.failure(answer.durationMs);
      this.count("error");
      throw new SchedulingError(
        "UNAVAILABLE",
        `${call.who}: the endpoint ${url} could not answer: ${(error as Error).message}`,
        "error",
      );
    }
  }

  private requestOf(call: StepCall): InferRequest {
    const inputs: DecodedInput[] = [...call.inputs].map(([name, value]) => ({
      name,
      datatype: value.datatype,
      shape: [...value.shape],
      data: value.data,
    }));
    return {
      id: call.request.id,
      inputs,
      outputs: call.outputs.map((name) => ({ name, binary: true })),
      batchSize: 1,
      timeoutMicroseconds: call.request.timeoutMicroseconds,
    };
  }

  /** The outputs the step needs, each checked against the ensemble tensor it writes. */
  private outputsOf(answer: RemoteAnswer, call: StepCall): InferResult {
    const decoded = decodeInferResponse(answer.body, answer.jsonLength);
    const { step, tensors } = this.options;
    const outputs: InferResult = new Map();
    for (const name of call.outputs) {
      const output = decoded.get(name);
      if (!output) throw new Error(`its answer has no output '${name}'`);
      const expected = tensors.get(step.output_map[name]) as EnsembleTensorSpec;
      const fits =
        output.shape.length === expected.shape.length &&
        expected.shape.every((dim, i) => dim < 0 || dim === output.shape[i]);
      if (output.datatype !== expected.datatype || !fits) {
        throw new Error(
          `output '${name}' is ${output.datatype} ${formatShape([...output.shape])}, but ensemble tensor '${step.output_map[name]}' is ${expected.datatype} ${formatShape([...expected.shape])}`,
        );
      }
      outputs.set(name, output);
    }
    return outputs;
  }

  private count(result: RemoteStepResult): void {
    const { ensemble, step, metrics } = this.options;
    metrics.remoteCalls.inc({ model: ensemble, step: step.label, result });
  }
}
