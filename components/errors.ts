/**
 * One thing wrong with a user's input: where it is, what was given and what is allowed instead.
 */
export interface ConfigProblem {
  /** The dotted path of the field, e.g. `accelerator.count` or `hybridai:aws.fleets[0].name`. */
  field: string;
  /** The rejected value (not shown when `kind` is `missing`). */
  value: unknown;
  /** What is allowed instead, in words or as a comma-separated list. */
  allowed: string;
  /**
   * What is wrong. `invalid` (the default): the value is not allowed; `missing`: a required
   * field is absent; `unknown-key`: the field itself is not known (`allowed` lists the known
   * keys).
   */
  kind?: "invalid" | "missing" | "unknown-key";
}

/**
 * The error every hybridai component and pure planning function throws for input a user can fix.
 *
 * The message always names the component, the field, the offending value and what is allowed,
 * so that `pulumi up` or a test run tells the user exactly what to change. An error about
 * several fields at once (a whole stack config) lists one problem per line in `problems`.
 */
export class HybridAiConfigError extends Error {
  /** The component (or function) that rejected the input, e.g. `AwsGpuNodeGroup`. */
  readonly component: string;
  /** The dotted path of the rejected field, e.g. `accelerator.count` (the first problem's). */
  readonly field: string;
  /** The rejected value (the first problem's). */
  readonly value: unknown;
  /** What is allowed instead, in words or as a list (the first problem's). */
  readonly allowed: string;
  /** Every problem found, in order; one entry unless built from a list of problems. */
  readonly problems: readonly ConfigProblem[];

  /**
   * One problem.
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
  );
  /**
   * Several problems, reported together, one a line.
   * @param component the component or function name.
   * @param problems the problems found; at least one.
   */
  constructor(component: string, problems: readonly ConfigProblem[]);
  constructor(
    component: string,
    fieldOrProblems: string | readonly ConfigProblem[],
    value?: unknown,
    allowed?: string | readonly unknown[],
  ) {
    const problems: readonly ConfigProblem[] =
      typeof fieldOrProblems === "string"
        ? [{ field: fieldOrProblems, value, allowed: listText(allowed ?? "") }]
        : fieldOrProblems;
    if (problems.length === 0) throw new RangeError("HybridAiConfigError needs a problem");
    const lines = problems.map(formatProblem);
    super(
      lines.length === 1
        ? `${component}: ${lines[0]}`
        : `${component}: ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join("\n")}`,
    );
    const [first] = problems;
    this.name = "HybridAiConfigError";
    this.component = component;
    this.field = first.field;
    this.value = first.value;
    this.allowed = first.allowed;
    this.problems = problems;
  }

  /**
   * The same problems reported by `component` under a parent path, e.g. an `OnnxService` error
   * on `replicas.max` as `hybridai:serving.services[0].replicas.max`.
   * @param component the component or function reporting the error.
   * @param parent the path of the object the fields belong to.
   */
  under(component: string, parent: string): HybridAiConfigError {
    return new HybridAiConfigError(
      component,
      this.problems.map((problem) => ({
        ...problem,
        field: problem.field.startsWith("[")
          ? `${parent}${problem.field}`
          : `${parent}.${problem.field}`,
      })),
    );
  }
}

/**
 * One problem as one line: `field = value is not valid. Allowed: …`, `field is missing.
 * Expected: …` or `field is not a known key. Known keys: …`, ending in exactly one period.
 */
export function formatProblem(problem: ConfigProblem): string {
  const allowed = /[.!?]$/.test(problem.allowed) ? problem.allowed : `${problem.allowed}.`;
  switch (problem.kind ?? "invalid") {
    case "missing":
      return `${problem.field} is missing. Expected: ${allowed}`;
    case "unknown-key":
      return `${problem.field} is not a known key. Known keys: ${allowed}`;
    default:
      return `${problem.field} = ${describe(problem.value)} is not valid. Allowed: ${allowed}`;
  }
}

function listText(allowed: string | readonly unknown[]): string {
  return typeof allowed === "string" ? allowed : allowed.map(String).join(", ");
}

const MAX_VALUE_LENGTH = 120;

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}
