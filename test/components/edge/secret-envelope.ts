import type { RecordedResource } from "pulumi-hybridai/testing";

/** The envelope key and value Pulumi serializes secret values with (what mocks record). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270";

/** A value with Pulumi's secret envelopes replaced by what they hold (what the API server receives). */
export function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] === SECRET_MARK) return revealed(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revealed(v)]));
}

/** Recorded resources with their inputs revealed, for schema validation. */
export function revealedRecords(records: readonly RecordedResource[]): RecordedResource[] {
  return records.map((r) => ({ ...r, inputs: revealed(r.inputs) as RecordedResource["inputs"] }));
}
