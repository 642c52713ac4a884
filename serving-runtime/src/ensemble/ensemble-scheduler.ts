import type { Logger } from "pino";
import type { ModelMetrics } from "../metrics";
import type { InferRequest } from "../protocol/infer-request";
import {
  type ClientLink,
  type InferResult,
  type RequestScheduler,
  type RequestTiming,
  SchedulingError,
  type SubmitOptions,
} from "../scheduling/scheduler";
import type { OutputData } from "../scheduling/tensor-batch";
import { describeStep, type EnsembleSpec, type EnsembleStep } from "./ensemble-config";
import { type EnsembleGraph, stepsFor } from "./ensemble-graph";
import type { EnsembleMetrics } from "./ensemble-metrics";
import { type DegradedAction, EnsembleResult } from "./ensemble-result";
import { runLocalStep, type StepCall } from "./local-step";
import type { RemoteStep } from "./remote-step";
import { StepGate } from "./step-gate";
import type { StepModels } from "./step-models";

/** What an {@link EnsembleScheduler} works with. */
export interface EnsembleSchedulerOptions {
  /** The ensemble's name. */
  name: string;
  /** Its steps. */
  spec: EnsembleSpec;
  /** Its data flow. */
  graph: EnsembleGraph;
  /** The models its local steps run on. */
  repository: StepModels;
  /** The remote steps, by step index. */
  remotes: ReadonlyMap<number, RemoteStep>;
  /** The ensemble version's own metrics and statistics. */
  metrics: ModelMetrics;
  /** The server's ensemble metrics (degraded steps). */
  ensembleMetrics: EnsembleMetrics;
  /** Logger. */
  logger: Logger;
}

/** The steps a set of requested outputs needs, and how many readers each tensor has then. */
interface RunPlan {
  steps: readonly EnsembleStep[];
  uses: ReadonlyMap<string, number>;
}

/** Plans kept per set of requested outputs (a request asks for some subset of them). */
const MAX_PLANS = 64;

function copyOf(value: OutputData): OutputData {
  return { ...value, data: value.data.slice() };
}

/**
 * Runs an ensemble's requests (Triton's ensemble scheduler): each step starts as soon as the
 * ensemble tensors it reads exist, so independent steps run in parallel, and only the steps that
 * lead to the outputs a request asks for run. Local steps go through their model's own breaker,
 * scheduler and batcher, remote steps to their endpoint; tensors pass from step to step as they
 * are (a tensor read by several steps is copied for all but the last reader, because a worker
 * thread takes the buffer it is handed). A failing step fails the request naming the step, or —
 * as its `on_failure` says — runs on its fallback model or is skipped, leaving its outputs (and
 * those of the steps that read them) out of the answer, which lists it in
 * `parameters.degraded_steps`.
 */
export class EnsembleScheduler implements RequestScheduler {
  private closed = false;
  private running = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly plans = new Map<string, RunPlan>();
  private readonly gates = new Map<EnsembleStep, StepGate>();

  /** @param options the ensemble, its models and metrics */
  constructor(readonly options: EnsembleSchedulerOptions) {
    const limit = options.spec.max_inflight_requests;
    if (limit > 0) for (const step of options.spec.steps) this.gates.set(step, new StepGate(limit));
  }

  /** An ensemble queues nothing itself: its requests wait in its steps' queues. */
  readonly queued = 0;

  /**
   * Runs one request through the steps and resolves with the outputs it asks for. Rejects with
   * the first required step's error (its message naming the ensemble and the step), or 503 while
   * the ensemble unloads.
   */
  submit(
    request: InferRequest,
    client?: ClientLink,
    options?: SubmitOptions,
  ): Promise<InferResult> {
    if (this.closed) {
      return Promise.reject(
        new SchedulingError(
          "UNAVAILABLE",
          `ensemble '${this.options.name}' is unloading`,
          "overload",
        ),
      );
    }
    this.running++;
    const run = new PipelineRun(this, this.planFor(request), request, client, options);
    return run.result.finally(() => {
      this.running--;
      if (this.running === 0) this.notifyDrained();
    });
  }

  /** Stops taking requests and resolves once the requests running have finished. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Runs one call of a step, through the step's gate when `max_inflight_requests` is set. */
  async call(step: EnsembleStep, call: StepCall, model = step.model_name): Promise<InferResult> {
    const gate = this.gates.get(step);
    await gate?.acquire();
    try {
      const remote = model === step.model_name ? this.options.remotes.get(step.index) : undefined;
      if (remote) return await remote.run(call);
      const version = model === step.model_name ? step.model_version : -1;
      return await runLocalStep(this.options.repository, model, version, call);
    } finally {
      gate?.release();
    }
  }

  private planFor(request: InferRequest): RunPlan {
    const wanted = request.outputs.map((output) => output.name);
    const key = wanted.join("\u0000");
    let plan = this.plans.get(key);
    if (plan) return plan;
    const steps = stepsFor(this.options.graph, wanted);
    const uses = new Map<string, number>();
    const use = (tensor: string) => uses.set(tensor, (uses.get(tensor) ?? 0) + 1);
    for (const step of steps)
      for (const tensor of new Set(Object.values(step.input_map))) use(tensor);
    for (const output of wanted) use(output);
    plan = { steps, uses };
    if (this.plans.size < MAX_PLANS) this.plans.set(key, plan);
    return plan;
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** One request on its way through an ensemble's steps. */
class PipelineRun {
  /** Resolves with the answer, or rejects with the failing required step's error. */
  readonly result: Promise<InferResult>;
  private resolve!: (result: InferResult) => void;
  private reject!: (error: Error) => void;
  /** Ensemble tensors by name; `null` once a skipped step left them missing. */
  private readonly values = new Map<string, OutputData | null>();
  private readonly uses: Map<string, number>;
  private readonly waiting: Set<EnsembleStep>;
  private inFlight = 0;
  private ended = false;
  private readonly answer = new EnsembleResult();
  private readonly timing: RequestTiming = { inputUs: 0, inferUs: 0, outputUs: 0 };
  private readonly listeners = new Set<() => void>();
  /** The steps' view of the client: gone once it left or the request failed. */
  private readonly link: ClientLink;

  constructor(
    private readonly scheduler: EnsembleScheduler,
    plan: RunPlan,
    private readonly request: InferRequest,
    client: ClientLink | undefined,
    private readonly options: SubmitOptions | undefined,
  ) {
    this.result = new Promise<InferResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.uses = new Map(plan.uses);
    this.waiting = new Set(plan.steps);
    for (const input of request.inputs) this.values.set(input.name, input);
    this.link = {
      gone: () => this.ended || (client?.gone() ?? false),
      watch: (listener) => {
        this.listeners.add(listener);
        const unwatch = client?.watch(listener);
        return () => {
          this.listeners.delete(listener);
          unwatch?.();
        };
      },
    };
    this.advance();
  }

  private get name(): string {
    return this.scheduler.options.name;
  }

  /** Starts every waiting step whose inputs all exist; skips those with a missing one. */
  private advance(): void {
    let progressed = true;
    while (progressed && !this.ended) {
      progressed = false;
      for (const step of this.waiting) {
        const tensors = Object.values(step.input_map);
        if (!tensors.every((tensor) => this.values.has(tensor))) continue;
        this.waiting.delete(step);
        progressed = true;
        if (tensors.some((tensor) => this.values.get(tensor) === null)) {
          this.skip(step, "skipped: an input it reads was left out by a skipped step");
        } else {
          this.launch(step);
        }
      }
    }
    if (!this.ended && this.waiting.size === 0 && this.inFlight === 0) this.finish();
  }

  /** Takes a tensor for one reader: a copy while other readers still need it. */
  private take(tensor: string): OutputData {
    const value = this.values.get(tensor) as OutputData;
    const left = (this.uses.get(tensor) ?? 1) - 1;
    this.uses.set(tensor, left);
    return left > 0 ? copyOf(value) : value;
  }

  private callOf(step: EnsembleStep, inputs: Map<string, OutputData>, who: string): StepCall {
    const outputs = Object.entries(step.output_map)
      .filter(([, tensor]) => this.uses.has(tensor))
      .map(([output]) => output);
    return {
      who,
      inputs,
      outputs,
      request: this.request,
      link: this.link,
      trace: this.options?.trace,
      onExecuted: (timing) => {
        this.timing.inputUs += timing.inputUs;
        this.timing.inferUs += timing.inferUs;
        this.timing.outputUs += timing.outputUs;
      },
    };
  }

  private launch(step: EnsembleStep): void {
    const inputs = new Map<string, OutputData>();
    for (const [input, tensor] of Object.entries(step.input_map))
      inputs.set(input, this.take(tensor));
    const who = `ensemble '${this.name}' ${describeStep(step)}`;
    // A step with a fallback model keeps its inputs for the second try: the first gets copies.
    const first =
      step.on_failure === "fallback_model"
        ? new Map([...inputs].map(([input, value]) => [input, copyOf(value)]))
        : inputs;
    this.inFlight++;
    this.scheduler.call(step, this.callOf(step, first, who)).then(
      (outputs) => this.completed(step, outputs),
      (error: Error) => this.failed(step, error, inputs),
    );
  }

  private completed(step: EnsembleStep, outputs: InferResult): void {
    this.inFlight--;
    if (this.ended) return;
    for (const [output, tensor] of Object.entries(step.output_map)) {
      if (!this.uses.has(tensor)) continue;
      const value = outputs.get(output);
      if (!value) {
        this.fail(
          new SchedulingError(
            "INTERNAL",
            `ensemble '${this.name}' ${describeStep(step)}: the model returned no output '${output}'`,
            "error",
          ),
        );
        return;
      }
      this.values.set(tensor, value);
    }
    this.advance();
  }

  private failed(step: EnsembleStep, error: Error, inputs: Map<string, OutputData>): void {
    if (this.ended) {
      this.inFlight--;
      return;
    }
    const cancelled = error instanceof SchedulingError && error.failure === "cancelled";
    if (cancelled || step.on_failure === "fail") {
      this.inFlight--;
      this.fail(error);
      return;
    }
    this.degradedLog(step, error);
    if (step.on_failure === "skip") {
      this.inFlight--;
      this.skip(step, error.message);
      this.advance();
      return;
    }
    const fallback = step.fallback_model as string;
    const who = `ensemble '${this.name}' ${describeStep(step)} fallback model '${fallback}'`;
    this.scheduler.call(step, this.callOf(step, inputs, who), fallback).then(
      (outputs) => {
        if (!this.ended) this.degrade(step, "fallback_model");
        this.completed(step, outputs);
      },
      (fallbackError: Error) => {
        this.inFlight--;
        if (this.ended) return;
        const message = `${error.message}; and its fallback failed too: ${fallbackError.message}`;
        this.fail(
          fallbackError instanceof SchedulingError
            ? new SchedulingError(fallbackError.kind, message, fallbackError.failure)
            : new SchedulingError("UNAVAILABLE", message, "error"),
        );
      },
    );
  }

  /** Leaves a step's outputs missing. */
  private skip(step: EnsembleStep, why: string): void {
    this.degrade(step, "skipped");
    for (const tensor of Object.values(step.output_map)) this.values.set(tensor, null);
    this.scheduler.options.logger.debug(
      { model: this.name, step: step.label, reason: why },
      "ensemble step skipped",
    );
  }

  private degrade(step: EnsembleStep, action: DegradedAction): void {
    this.answer.degraded.push({ step: step.label, action });
    this.scheduler.options.ensembleMetrics.degraded(this.name, step.label, action);
  }

  private degradedLog(step: EnsembleStep, error: Error): void {
    this.scheduler.options.logger.debug(
      { model: this.name, step: step.label, on_failure: step.on_failure, error: error.message },
      "optional ensemble step failed",
    );
  }

  private fail(error: Error): void {
    this.ended = true;
    for (const listener of [...this.listeners]) listener();
    this.reject(error);
  }

  private finish(): void {
    this.ended = true;
    for (const output of this.request.outputs) {
      const value = this.values.get(output.name);
      if (value) this.answer.set(output.name, value);
    }
    const { metrics } = this.scheduler.options;
    const { inputUs, inferUs, outputUs } = this.timing;
    metrics.queued(0);
    metrics.executed(this.request.batchSize, inputUs, inferUs, outputUs, 1);
    this.options?.onExecuted?.(this.timing);
    this.resolve(this.answer);
  }
}
