import { invalidArgument, notFound } from "../protocol/errors";
import type { TraceLevel, TraceSettingValues } from "./trace-settings";
import type { Tracing } from "./tracing";

/** Trace settings as Triton's trace extension writes them: strings, `trace_level` a list. */
export type TraceSettingView = Record<string, string | string[]>;

/** A requested change: values as strings (or a list), `null` to clear a model's own setting. */
export type TraceSettingChanges = Record<string, unknown>;

/** What this runtime's tracing is, in Triton's `trace_mode` setting. */
const TRACE_MODE = "opentelemetry";

const OFF: TraceSettingValues = {
  trace_level: "OFF",
  trace_rate: 1,
  trace_count: -1,
  log_frequency: 0,
};

function view(values: TraceSettingValues): TraceSettingView {
  return {
    trace_level: [values.trace_level],
    trace_rate: String(values.trace_rate),
    trace_count: String(values.trace_count),
    log_frequency: String(values.log_frequency),
    trace_mode: TRACE_MODE,
  };
}

function checkModel(model: string | undefined, has: (model: string) => boolean): void {
  if (model !== undefined && !has(model)) throw notFound(`unknown model '${model}'`);
}

/**
 * The trace settings in force, globally or for one model; all `OFF` when tracing is off.
 *
 * @param tracing the runtime's tracing, absent when off
 * @param model a model name, or undefined for the global settings
 * @param has whether the repository knows a model
 */
export function readTraceSetting(
  tracing: Tracing | undefined,
  model: string | undefined,
  has: (model: string) => boolean,
): TraceSettingView {
  checkModel(model, has);
  return view(tracing ? tracing.settings.effective(model) : OFF);
}

function single(key: string, value: unknown): string {
  const values = Array.isArray(value) ? value : [value];
  if (values.length !== 1 || typeof values[0] !== "string") {
    throw invalidArgument(`trace setting '${key}' must be a string, e.g. "1000"`);
  }
  return values[0];
}

function integer(key: string, value: unknown, min: number): number {
  const text = single(key, value);
  if (!/^-?\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw invalidArgument(
      `trace setting '${key}': '${text}' must be a whole number of at least ${min}`,
    );
  }
  return Number(text);
}

function level(value: unknown): TraceLevel {
  const levels = Array.isArray(value) ? value : [value];
  if (levels.length === 0 || levels.some((entry) => typeof entry !== "string")) {
    throw invalidArgument(
      `trace setting 'trace_level' must be a list of levels, e.g. ["TIMESTAMPS"]`,
    );
  }
  for (const entry of levels as string[]) {
    if (entry === "TENSORS") {
      throw invalidArgument(
        "trace_level TENSORS is not supported: this runtime's traces record timings (spans), never tensor contents; use TIMESTAMPS",
      );
    }
    if (entry !== "OFF" && entry !== "TIMESTAMPS") {
      throw invalidArgument(`trace_level '${entry}' is not a level; use OFF or TIMESTAMPS`);
    }
  }
  return (levels as string[]).includes("TIMESTAMPS") ? "TIMESTAMPS" : "OFF";
}

/**
 * Checks requested changes and turns them into settings; `null` clears (model settings only).
 * `trace_file` names a file and is refused (spans go to the OTLP endpoint of the command line);
 * `trace_mode` is always `opentelemetry`.
 */
function parseChanges(
  changes: TraceSettingChanges,
  model: string | undefined,
): { [K in keyof TraceSettingValues]?: TraceSettingValues[K] | null } {
  const parsed: { [K in keyof TraceSettingValues]?: TraceSettingValues[K] | null } = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === null && model === undefined) {
      throw invalidArgument(`trace setting '${key}': global settings can be changed, not cleared`);
    }
    switch (key) {
      case "trace_level":
        parsed.trace_level = value === null ? null : level(value);
        break;
      case "trace_rate":
        parsed.trace_rate = value === null ? null : integer(key, value, 1);
        break;
      case "trace_count":
        parsed.trace_count = value === null ? null : integer(key, value, -1);
        break;
      case "log_frequency":
        parsed.log_frequency = value === null ? null : integer(key, value, 0);
        break;
      case "trace_file":
        throw invalidArgument(
          "trace setting 'trace_file' cannot be set: this runtime writes no trace files; spans go over OTLP to the endpoint set on its command line (--trace-endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)",
        );
      case "trace_mode":
        if (value !== null && single(key, value) === TRACE_MODE) break;
        throw invalidArgument(`trace setting 'trace_mode' is always '${TRACE_MODE}'`);
      default:
        throw invalidArgument(
          `unknown trace setting '${key}'; use trace_level, trace_rate, trace_count or log_frequency`,
        );
    }
  }
  return parsed;
}

/**
 * Changes trace settings, globally or for one model, and returns the settings then in force.
 * Checked as a whole before anything changes.
 *
 * @param tracing the runtime's tracing; with tracing off every change is refused
 * @param model a model name, or undefined for the global settings
 * @param changes the settings to change
 * @param has whether the repository knows a model
 */
export function changeTraceSetting(
  tracing: Tracing | undefined,
  model: string | undefined,
  changes: TraceSettingChanges,
  has: (model: string) => boolean,
): TraceSettingView {
  checkModel(model, has);
  const parsed = parseChanges(changes, model);
  if (!tracing) {
    throw invalidArgument(
      "tracing is off: start the runtime with --trace-endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) to export traces; the exporter's URL is never set through this API",
    );
  }
  return view(tracing.settings.update(model, parsed));
}
