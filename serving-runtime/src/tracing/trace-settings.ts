import { type Attributes, type Context, trace } from "@opentelemetry/api";
import { type Sampler, SamplingDecision, type SamplingResult } from "@opentelemetry/sdk-trace-node";
import { ATTR } from "./attributes";

/** Triton's trace levels this runtime records: nothing, or every span's timestamps. */
export type TraceLevel = "OFF" | "TIMESTAMPS";

/** Tracing settings as Triton's trace extension names them, global or for one model. */
export interface TraceSettingValues {
  /** `OFF` records nothing; `TIMESTAMPS` records the request's spans. */
  trace_level: TraceLevel;
  /** One request in every `trace_rate` starts a trace (1 = every request). */
  trace_rate: number;
  /** Traces still to be started; -1 for no limit. */
  trace_count: number;
  /**
   * Triton's trace-file flush frequency; kept and reported for Triton clients. Spans go to the
   * OTLP exporter in batches whatever it says.
   */
  log_frequency: number;
}

interface ModelCounter {
  seen: number;
}

const DROP: SamplingResult = { decision: SamplingDecision.NOT_RECORD };
const KEEP: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };

/**
 * The runtime's sampler and the settings Triton's trace extension reads and changes. A span whose
 * parent is in this process follows its parent. A request span follows a remote parent's sampled
 * flag when `parentBased` (the OpenTelemetry default), unless its model's `trace_level` is `OFF`;
 * otherwise one request in every `trace_rate` of its model starts a trace, while `trace_count`
 * (when not -1) lasts, counting down.
 */
export class TraceSettings implements Sampler {
  private readonly models = new Map<string, Partial<TraceSettingValues>>();
  private readonly counters = new Map<string, ModelCounter>();

  /**
   * @param global the global settings (from `OTEL_TRACES_SAMPLER[_ARG]` or `--trace-sample-rate`)
   * @param parentBased whether a remote parent's sampled flag decides (the `parentbased_*` samplers)
   */
  constructor(
    private global: TraceSettingValues,
    private readonly parentBased = true,
  ) {}

  /**
   * The settings in force: the model's own where it has them, the global ones elsewhere.
   *
   * @param model a model name; the global settings when absent
   */
  effective(model?: string): TraceSettingValues {
    const own = model === undefined ? undefined : this.models.get(model);
    return own ? { ...this.global, ...own } : { ...this.global };
  }

  /**
   * Changes settings. A `null` value clears a model's own setting (the global one applies again)
   * or, globally, restores nothing: global settings cannot be cleared, only changed.
   *
   * @param model the model whose settings change; the global settings when absent
   * @param changes the settings to change
   */
  update(
    model: string | undefined,
    changes: { [K in keyof TraceSettingValues]?: TraceSettingValues[K] | null },
  ): TraceSettingValues {
    if (model === undefined) {
      const next = { ...this.global };
      for (const [key, value] of Object.entries(changes)) {
        if (value !== null && value !== undefined) Object.assign(next, { [key]: value });
      }
      this.global = next;
      return this.effective();
    }
    const own = { ...this.models.get(model) };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) delete own[key as keyof TraceSettingValues];
      else Object.assign(own, { [key]: value });
    }
    if (Object.keys(own).length === 0) this.models.delete(model);
    else this.models.set(model, own);
    if (changes.trace_rate !== undefined) this.counters.delete(model);
    return this.effective(model);
  }

  /** Decides whether a span is recorded (OpenTelemetry's sampler interface). */
  shouldSample(
    parentContext: Context,
    _traceId: string,
    _name: string,
    _kind: unknown,
    attributes: Attributes,
  ): SamplingResult {
    const parent = trace.getSpanContext(parentContext);
    if (parent && !parent.isRemote) return parent.traceFlags & 1 ? KEEP : DROP;
    const named = attributes[ATTR.model];
    const model = typeof named === "string" ? named : "";
    const own = this.models.get(model);
    const level = own?.trace_level ?? this.global.trace_level;
    if (level === "OFF") return DROP;
    if (parent && this.parentBased) return parent.traceFlags & 1 ? KEEP : DROP;
    const rate = own?.trace_rate ?? this.global.trace_rate;
    let counter = this.counters.get(model);
    if (!counter) {
      counter = { seen: 0 };
      this.counters.set(model, counter);
    }
    const turn = counter.seen++ % rate === 0;
    if (!turn) return DROP;
    return this.takeCount(model, own) ? KEEP : DROP;
  }

  private takeCount(model: string, own: Partial<TraceSettingValues> | undefined): boolean {
    if (own?.trace_count !== undefined) {
      if (own.trace_count === -1) return true;
      if (own.trace_count === 0) return false;
      this.models.set(model, { ...own, trace_count: own.trace_count - 1 });
      return true;
    }
    if (this.global.trace_count === -1) return true;
    if (this.global.trace_count === 0) return false;
    this.global = { ...this.global, trace_count: this.global.trace_count - 1 };
    return true;
  }

  /** The sampler's description (OpenTelemetry's sampler interface). */
  toString(): string {
    return `TritonTraceSettings{rate=${this.global.trace_rate}, level=${this.global.trace_level}}`;
  }
}
