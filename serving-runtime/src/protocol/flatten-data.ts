import { invalidArgument } from "./errors";

/**
 * Describes a client value for an error message without walking it: primitives as short JSON,
 * arrays and objects by kind only, so a hostile, deeply nested value can never recurse.
 */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return String(value);
}

/**
 * Flattens the `data` of a JSON input (flat, or nested row-major) into its elements without
 * recursion. Nesting may be at most as deep as the input's shape has dimensions (one level for a
 * scalar), and the walk stops as soon as more than `count` elements appear, so a 100,000-deep or
 * oversized array costs at most `count` steps before the 400.
 *
 * @param name input name, for error messages
 * @param data the request's `data` field
 * @param rank number of dimensions of the input's shape
 * @param count number of elements the shape calls for
 */
export function flattenData(name: string, data: unknown, rank: number, count: number): unknown[] {
  if (!Array.isArray(data)) {
    throw invalidArgument(
      `input '${name}': 'data' must be an array (flat or nested, row-major), got ${describeValue(data)}`,
    );
  }
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  const maxDepth = Math.max(1, rank);
  const out: unknown[] = [];
  const arrays: unknown[][] = [data];
  const positions: number[] = [0];
  while (arrays.length > 0) {
    const depth = arrays.length;
    const current = arrays[depth - 1];
    const position = positions[depth - 1];
    if (position === current.length) {
      arrays.pop();
      positions.pop();
      continue;
    }
    positions[depth - 1] = position + 1;
    const element = current[position];
    if (Array.isArray(element)) {
      if (depth === maxDepth) {
        throw invalidArgument(
          `input '${name}': 'data' is nested deeper than its shape's ${rank} dimension(s); ` +
            "send the elements flat or nested once per dimension",
        );
      }
      arrays.push(element);
      positions.push(0);
      continue;
    }
    if (out.length === count) {
      throw invalidArgument(
        `input '${name}': 'data' holds more than the ${count} elements its shape calls for`,
      );
    }
    out.push(element);
  }
  return out;
}
