import type { TraceSettingChanges, TraceSettingView } from "../tracing/trace-setting-api";
import type { TraceSettingRequest } from "./messages";

/**
 * The changes a `TraceSettingRequest` asks for, as the HTTP body would say them: a setting with
 * no values is cleared (`null`), `trace_level` is a list, every other setting its one value.
 *
 * @param request the request
 */
export function traceSettingChanges(request: TraceSettingRequest): TraceSettingChanges {
  const changes: TraceSettingChanges = {};
  for (const [key, setting] of Object.entries(request.settings ?? {})) {
    const values = setting.value ?? [];
    if (values.length === 0) changes[key] = null;
    else changes[key] = key === "trace_level" || values.length > 1 ? values : values[0];
  }
  return changes;
}

/**
 * A `TraceSettingResponse`: every setting as a list of strings.
 *
 * @param view the settings in force
 */
export function traceSettingMessage(view: TraceSettingView): {
  settings: Record<string, { value: string[] }>;
} {
  const settings: Record<string, { value: string[] }> = {};
  for (const [key, value] of Object.entries(view)) {
    settings[key] = { value: Array.isArray(value) ? value : [value] };
  }
  return { settings };
}
