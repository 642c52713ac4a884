import { createHash } from "node:crypto";
import { HybridAiConfigError } from "../errors";

/** GCP service account ids: 6–30 characters, a lowercase letter first, letters, digits and hyphens. */
const SERVICE_ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/**
 * A valid GCP service account id built from a component name and a purpose suffix, e.g.
 * `prod-nodes`. Characters GCP does not allow become hyphens; a name too long for the 30-character
 * limit is shortened and given a stable 6-character hash, so two long names never collide.
 */
export function serviceAccountId(name: string, suffix: string): string {
  const clean = `${name}-${suffix}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  const padded = clean.length >= 6 ? clean : `sa-${clean}-acct`.slice(0, 30);
  if (padded.length <= 30 && SERVICE_ACCOUNT_ID.test(padded)) return padded;
  const hash = createHash("sha256").update(`${name}\u0000${suffix}`).digest("hex").slice(0, 6);
  const head = padded.slice(0, 23).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** A GCP zone name: `<region>-<letter>`, e.g. `us-central1-a`. */
const ZONE = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;

/**
 * Checks that every zone is a zone of `region`, throwing {@link HybridAiConfigError} naming the
 * first one that is not.
 */
export function assertZonesInRegion(
  component: string,
  field: string,
  zones: readonly string[],
  region: string,
): void {
  for (const zone of zones) {
    const match = ZONE.exec(zone);
    if (!match || match[1] !== region) {
      throw new HybridAiConfigError(
        component,
        field,
        zone,
        `zones of the cluster's region ${region}, e.g. ${region}-a`,
      );
    }
  }
}
