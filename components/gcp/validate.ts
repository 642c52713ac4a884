import { HybridAiConfigError } from "../errors";

/** GCP project ids: 6–30 characters, a lowercase letter first, letters, digits and hyphens. */
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
/** GCP region names, e.g. `us-central1`, `europe-west4`. */
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
/** An IPv4 CIDR block. */
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Checks a GCP project id. */
export function assertProjectId(component: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !PROJECT_ID.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a GCP project id: 6–30 lowercase letters, digits or hyphens, starting with a letter",
    );
  }
  return value;
}

/** Checks a GCP region name. */
export function assertRegion(component: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !REGION.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a GCP region such as us-central1 (a regional cluster; zones go in nodeLocations)",
    );
  }
  return value;
}

/** Checks an IPv4 CIDR block, optionally with an exact prefix length. */
export function assertCidr(
  component: string,
  field: string,
  value: unknown,
  prefixLength?: number,
): string {
  const match = typeof value === "string" ? CIDR.exec(value) : null;
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  const valid =
    match !== null &&
    octets.every((o) => o <= 255) &&
    prefix <= 32 &&
    (prefixLength === undefined || prefix === prefixLength);
  if (!valid) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      prefixLength === undefined
        ? "an IPv4 CIDR block such as 203.0.113.0/24"
        : `an IPv4 CIDR block of prefix length /${prefixLength}, e.g. 172.16.0.32/${prefixLength}`,
    );
  }
  return value as string;
}
