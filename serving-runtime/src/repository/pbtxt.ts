import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { fromText } from "@bufbuild/protobuf/txtpb";
import { modelConfigSchema } from "./model-config-proto";

/** Triton `ModelConfig` fields this runtime does not implement, for a clearer message. */
const TRITON_ONLY_FIELDS = new Set([
  "runtime",
  "batch_input",
  "batch_output",
  "optimization",
  "sequence_batching",
  "cc_model_filenames",
  "metric_tags",
  "model_operations",
  "model_transaction_policy",
  "model_repository_agents",
  "model_metrics",
  "reshape",
  "label_filename",
  "is_shape_tensor",
  "allow_ragged_batch",
  "optional",
  "is_non_linear_format_io",
  "rate_limiter",
  "secondary_devices",
  "profile",
  "passive",
  "host_policy",
  "priority_levels",
  "default_priority_level",
  "priority_queue_policy",
  "input_data_file",
]);

function scalar(value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}

function fieldValue(field: DescField, value: unknown): unknown {
  if (field.fieldKind === "message") return plain(value as ReflectMessage);
  if (field.fieldKind === "enum") {
    return field.enum.values.find((entry) => entry.number === value)?.name ?? value;
  }
  if (field.fieldKind === "list") {
    const items = [...(value as Iterable<unknown>)];
    if (field.listKind === "message") return items.map((item) => plain(item as ReflectMessage));
    if (field.listKind === "enum") {
      return items.map((item) => field.enum.values.find((e) => e.number === item)?.name ?? item);
    }
    return items.map(scalar);
  }
  if (field.fieldKind === "map") {
    const entries: [unknown, unknown][] = [...(value as Iterable<[unknown, unknown]>)];
    return Object.fromEntries(
      entries.map(([key, entry]) => [
        String(key),
        field.mapKind === "message" ? plain(entry as ReflectMessage) : scalar(entry),
      ]),
    );
  }
  return scalar(value);
}

/** A parsed message as the JSON form of the same config: snake_case keys, enum names, numbers. */
function plain(message: ReflectMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    out[field.name] = fieldValue(field, message.get(field));
  }
  return out;
}

/**
 * Where a text-format error arose: `line L` of the first occurrence of the field it names, so a
 * message about `sequence_batching` points at the line that sets it.
 */
function locate(text: string, name: string): string {
  const match = new RegExp(`(^|[\\s{<,;])${name}\\s*[:{<\\[]`, "m").exec(text);
  if (!match) return "";
  return ` (line ${text.slice(0, match.index + match[1].length).split("\n").length})`;
}

function explain(error: Error, text: string): string {
  const unknown = /unknown field "([^"]+)" for (?:message )?([\w.]+)/.exec(error.message);
  if (!unknown) return error.message;
  const [, name, owner] = unknown;
  const where = locate(text, name);
  const message = owner.replace(/^inference\./, "");
  if (TRITON_ONLY_FIELDS.has(name)) {
    return `field '${name}' of ${message}${where} is part of Triton's model configuration but not supported by hybridai-serve; remove it`;
  }
  return `unknown field '${name}' in ${message}${where}; check its spelling against Triton's model configuration`;
}

/**
 * Reads a `config.pbtxt` (the protobuf text format of Triton's `ModelConfig`) into the same plain
 * form `config.json` holds, so that both go through the same validation. Throws an `Error` naming
 * the field (and its line) for a field this runtime does not support, and the parser's reason
 * for malformed text.
 *
 * @param text the file's content
 * @param schema the message schema; Triton's `ModelConfig` by default
 */
export function parseModelConfigText(
  text: string,
  schema: DescMessage = modelConfigSchema(),
): Record<string, unknown> {
  let message: ReturnType<typeof fromText>;
  try {
    message = fromText(schema, text, { recursionLimit: 32 });
  } catch (error) {
    throw new Error(explain(error as Error, text));
  }
  return plain(reflect(schema, message));
}
