/**
 * Readers for raw provider properties as `@pulumi/policy` hands them to a policy: untyped JSON,
 * where numbers and booleans sometimes arrive as strings (launch templates say `"true"`).
 */

/** Untyped resource properties. */
export type Props = Readonly<Record<string, unknown>>;

/** The value at a dotted path (`vpcConfig.endpointPublicAccess`), or `undefined`. */
export function at(props: unknown, path: string): unknown {
  let value: unknown = props;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The value as an object, or an empty one. */
export function objectAt(props: unknown, path: string): Props {
  const value = at(props, path);
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Props)
    : {};
}

/** The value as an array (a single object becomes a one-element array), or an empty one. */
export function listAt(props: unknown, path: string): unknown[] {
  const value = at(props, path);
  if (Array.isArray(value)) return [...value];
  return value === undefined || value === null ? [] : [value];
}

/** The value as a string, or `undefined`. */
export function stringAt(props: unknown, path: string): string | undefined {
  const value = at(props, path);
  return typeof value === "string" ? value : undefined;
}

/** The value as strings (non-strings dropped). */
export function stringsAt(props: unknown, path: string): string[] {
  return listAt(props, path).filter((v): v is string => typeof v === "string");
}

/** The value as a boolean (`"true"`/`"false"` accepted), or `undefined`. */
export function booleanAt(props: unknown, path: string): boolean | undefined {
  const value = at(props, path);
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** The value as a number (numeric strings accepted), or `undefined`. */
export function numberAt(props: unknown, path: string): number | undefined {
  const value = at(props, path);
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** A JSON document given as a string or already parsed; `undefined` when it does not parse. */
export function jsonDocument(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
