/**
 * The error every hybridai component and pure planning function throws for input a user can fix.
 *
 * The message always names the component, the field, the offending value and what is allowed,
 * so that `pulumi up` or a test run tells the user exactly what to change.
 */
export class HybridAiConfigError extends Error {
  /** The component (or function) that rejected the input, e.g. `AwsGpuNodeGroup`. */
  readonly component: string;
  /** The dotted path of the rejected field, e.g. `accelerator.count`. */
  readonly field: string;
  /** The rejected value. */
  readonly value: unknown;
  /** What is allowed instead, in words or as a list. */
  readonly allowed: string;

  /**
   * @param component the component or function name.
   * @param field the dotted field path.
   * @param value the rejected value.
   * @param allowed what is allowed instead; a list is joined with commas.
   */
  constructor(
    component: string,
    field: string,
    value: unknown,
    allowed: string | readonly unknown[],
  ) {
    const allowedText = typeof allowed === "string" ? allowed : allowed.map(String).join(", ");
    super(`${component}: ${field} = ${describe(value)} is not valid. Allowed: ${allowedText}.`);
    this.name = "HybridAiConfigError";
    this.component = component;
    this.field = field;
    this.value = value;
    this.allowed = allowedText;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
