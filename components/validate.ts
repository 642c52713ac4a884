import { HybridAiConfigError } from "./errors";

/**
 * Checks a whole number within `[min, max]` and returns it. The error names the component and
 * field, and says what is allowed: `allowed` when given, else `a whole number from <min> to
 * <max>` (or `a whole number ≥ <min>` without `max`).
 * @param component the component or function name the error names.
 * @param field the dotted field path.
 * @param value the value to check; anything that is not a whole number is refused.
 * @param min the smallest allowed value.
 * @param max the largest allowed value; no upper bound when left out.
 * @param allowed what the error says is allowed, when the default wording does not fit.
 */
export function assertWholeNumber(
  component: string,
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  allowed?: string,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new HybridAiConfigError(component, field, value, allowed ?? `a whole number ${range}`);
  }
  return value;
}

/**
 * Checks that `value` is one of `allowed` and returns it, typed as the union. The error lists
 * the allowed values, or says `explanation` when given (for a set that needs a reason).
 * @param component the component or function name the error names.
 * @param field the dotted field path.
 * @param value the value to check.
 * @param allowed the allowed values.
 * @param explanation what the error says is allowed, when the list alone does not explain it.
 */
export function assertOneOf<T extends string | number>(
  component: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
  explanation?: string,
): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new HybridAiConfigError(component, field, value, explanation ?? allowed);
  }
  return value as T;
}
