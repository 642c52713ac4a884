import type { z } from "zod";
import type { ConfigProblem, HybridAiConfigError } from "../components/errors";

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** The `params` key under which a custom issue carries a structured {@link ConfigProblem}. */
const PROBLEM = "hybridaiProblem";

/** What a custom issue carries: a problem without its field, which the issue's path gives. */
type IssueProblem = Omit<ConfigProblem, "field">;

/** A custom zod issue as a refinement adds it with `ctx.addIssue` (a type, so zod accepts it). */
export type ProblemIssue = {
  /** Always `custom`. */
  code: "custom";
  /** Path from the section root to the field. */
  path: PropertyKey[];
  /** The problem as one line, for anyone reading the issue without this formatter. */
  message: string;
  /** The structured problem. */
  params: Record<string, IssueProblem>;
};

/**
 * A zod issue for a value a refinement rejects: `ctx.addIssue(problemIssue(["fleets", 0,
 * "name"], { value: "l4", allowed: "a name used once" }))`.
 */
export function problemIssue(path: Path, problem: IssueProblem): ProblemIssue {
  return {
    code: "custom",
    path: [...path],
    message: problem.allowed,
    params: { [PROBLEM]: problem },
  };
}

/**
 * A zod issue for a {@link HybridAiConfigError} a component's plan function threw while a
 * section's refinement ran it over the config at `path`: the error's field is appended to the
 * path, its value and allowed values kept, its component prefix dropped.
 */
export function planErrorIssue(path: Path, error: HybridAiConfigError): ProblemIssue {
  return problemIssue([...path, ...fieldPath(error.field)], {
    value: error.value,
    allowed: error.allowed,
  });
}

/** `a.b[0].c` → `["a", "b", 0, "c"]`. */
function fieldPath(field: string): PropertyKey[] {
  return (field.match(/[^.[\]]+/g) ?? []).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `hybridai:aws` + `["fleets", 0, "name"]` → `hybridai:aws.fleets[0].name`. */
export function keyPath(key: string, path: Path): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .reduce((text: string, part) => text + part, key);
}

/**
 * Turns a section's zod issues into problems, one per field: the key path, the value found in
 * `input` (the section's config) and what the schema allows, enums listed. Where a field has
 * both a schema issue and a component's (from a plan function), the component's is kept.
 */
export function issueProblems(
  key: string,
  schema: Schema,
  input: unknown,
  issues: readonly Issue[],
): ConfigProblem[] {
  const byField = new Map<string, { problem: ConfigProblem; fromComponent: boolean }>();
  for (const issue of issues) {
    const fromComponent = issue.code === "custom" && issue.params?.[PROBLEM] !== undefined;
    for (const problem of toProblems(key, schema, input, issue)) {
      const seen = byField.get(problem.field);
      if (!seen || (fromComponent && !seen.fromComponent)) {
        byField.set(problem.field, { problem, fromComponent });
      }
    }
  }
  return [...byField.values()].map(({ problem }) => problem);
}

function toProblems(key: string, root: Schema, input: unknown, issue: Issue): ConfigProblem[] {
  const field = keyPath(key, issue.path);
  const value = valueAt(input, issue.path);
  const schema = schemaAt(root, issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = schema ? objectKeys(schema) : [];
    return issue.keys.map((unknown) => ({
      field: keyPath(key, [...issue.path, unknown]),
      value: valueAt(value, [unknown]),
      allowed: known.length > 0 ? known.join(", ") : "none",
      kind: "unknown-key" as const,
    }));
  }
  if (issue.code === "custom") {
    const carried = issue.params?.[PROBLEM] as IssueProblem | undefined;
    return [carried ? { field, ...carried } : { field, value, allowed: issue.message }];
  }
  const missing = value === undefined && issue.code === "invalid_type";
  return [
    { field, value, allowed: allowedBy(issue, schema), ...(missing ? { kind: "missing" } : {}) },
  ];
}

/** What the schema allows, from a zod issue (and the schema at its path, where it says more). */
function allowedBy(issue: Issue, schema: Schema | undefined): string {
  switch (issue.code) {
    case "invalid_value":
      return issue.values.map(String).join(", ");
    case "invalid_type":
      return typeName(issue.expected, schema);
    case "too_small":
      return bound(issue.origin, "least", issue.minimum, issue.inclusive, schema);
    case "too_big":
      return bound(issue.origin, "most", issue.maximum, issue.inclusive, schema);
    case "invalid_format":
      return formatText(issue);
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    case "invalid_union":
      return unionText(issue, schema);
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (YAML object)",
  record: "a mapping (YAML object)",
  array: "a list",
};

function typeName(expected: string, schema: Schema | undefined): string {
  if (expected === "number" && schema && isInt(schema)) return TYPE_NAMES.int;
  return TYPE_NAMES[expected] ?? `a value of type ${expected}`;
}

function bound(
  origin: string,
  direction: "least" | "most",
  limit: number | bigint,
  inclusive: boolean | undefined,
  schema: Schema | undefined,
): string {
  const exclusive = inclusive === false;
  const items: Record<string, string> = {
    string: "a string of",
    array: "a list of",
    set: "a list of",
  };
  const unit: Record<string, string> = { string: "characters", array: "items", set: "items" };
  if (items[origin]) {
    if (direction === "least" && Number(limit) === (exclusive ? 0 : 1)) {
      return origin === "string" ? "a non-empty string" : "a non-empty list";
    }
    const words = direction === "least" ? "more than" : "fewer than";
    return `${items[origin]} ${exclusive ? words : `at ${direction}`} ${limit} ${unit[origin]}`;
  }
  const sign = direction === "least" ? (exclusive ? ">" : "≥") : exclusive ? "<" : "≤";
  return `${schema && isInt(schema) ? "a whole number" : "a number"} ${sign} ${limit}`;
}

function formatText(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const { format } = issue;
  if (format === "regex") {
    // A schema that names its rule (`.regex(re, "lowercase letters…")`) says it best.
    return issue.message.startsWith("Invalid string:")
      ? `a string matching ${issue.pattern}`
      : issue.message;
  }
  const detail = issue as { prefix?: string; suffix?: string; includes?: string };
  if (format === "starts_with") return `a string starting with "${detail.prefix}"`;
  if (format === "ends_with") return `a string ending with "${detail.suffix}"`;
  if (format === "includes") return `a string containing "${detail.includes}"`;
  return `a valid ${format}`;
}

function unionText(issue: z.core.$ZodIssueInvalidUnion, schema: Schema | undefined): string {
  if ("options" in issue && issue.options && issue.options.length > 0) {
    return issue.options.map(String).join(", ");
  }
  const options = schema ? (unwrap(schema)._zod.def as { options?: Schema[] }).options : undefined;
  const branches = issue.errors.map((branch, i) => {
    const top = branch.find((inner) => inner.path.length === 0);
    return top ? allowedBy(top, options?.[i]) : undefined;
  });
  return branches.every((text) => text !== undefined) && branches.length > 0
    ? branches.join("; or ")
    : issue.message;
}

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Strips wrappers (optional, default, pipe …) that do not change what a value must look like. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: Schema; in?: Schema; type: string };
    if (def.type === "pipe" && def.in) current = def.in;
    else if (def.innerType) current = def.innerType;
    else return current;
  }
}

/** The schema of the field at `path`, where it can be told without the value (not in unions). */
function schemaAt(root: Schema, path: Path): Schema | undefined {
  let schema: Schema | undefined = root;
  for (const part of path) {
    if (!schema) return undefined;
    const def = unwrap(schema)._zod.def as {
      type: string;
      shape?: Record<string, Schema>;
      element?: Schema;
      valueType?: Schema;
    };
    if (def.type === "object") schema = def.shape?.[String(part)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
  }
  return schema;
}

function objectKeys(schema: Schema): string[] {
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, Schema> };
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function isInt(schema: Schema): boolean {
  return (unwrap(schema) as { isInt?: boolean }).isInt === true;
}
