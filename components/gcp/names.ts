import { HybridAiConfigError } from "../errors";
import { cloudName } from "../names";

/** Length limits GCP sets on the names hybridai generates. */
export const GCP_NAME_LIMITS = {
  /** A GKE cluster name. */
  cluster: 40,
  /** A GKE node pool name. */
  nodePool: 40,
  /** A service account id (at least 6). */
  serviceAccountId: 30,
  /** A Cloud Router or Cloud NAT name (RFC 1035). */
  router: 63,
} as const;

/** GCP service account ids: 6–30 characters, a lowercase letter first, letters, digits and hyphens. */
const SERVICE_ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/** A GKE cluster name: a lowercase letter first, letters, digits and hyphens, at most 40. */
const GKE_CLUSTER_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

/**
 * A name in GCP's RFC 1035 alphabet: lowercase letters, digits and single hyphens, a letter
 * first, no hyphen last. Characters GCP does not allow become hyphens.
 */
export function gcpNameStem(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
}

/** Checks a GKE cluster name, throwing {@link HybridAiConfigError} otherwise. */
export function assertGkeClusterName(component: string, field: string, value: unknown): string {
  if (typeof value !== "string" || !GKE_CLUSTER_NAME.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      `a GKE cluster name: a lowercase letter first, then lowercase letters, digits or '-', not ending in '-', at most ${GCP_NAME_LIMITS.cluster} characters`,
    );
  }
  return value;
}

/**
 * A valid GCP service account id built from a name and a purpose, e.g. `prod-3f9a1c-nodes`.
 * Service account ids are project-wide while clusters are regional, so `uniqueIn` (the
 * cluster's region) is hashed into the id: the same cluster name in two regions of one project
 * gets two ids. A name too long for the 30-character limit is shortened before the hash.
 */
export function serviceAccountId(name: string, suffix: string, uniqueIn?: string): string {
  const stem = gcpNameStem(name) || "sa";
  const id = cloudName({
    scope: stem,
    suffix,
    uniqueIn,
    max: GCP_NAME_LIMITS.serviceAccountId,
  });
  if (SERVICE_ACCOUNT_ID.test(id)) return id;
  // Too short: pad the stem so the id reaches GCP's 6-character minimum.
  return cloudName({
    scope: `${stem}-acct`,
    suffix,
    uniqueIn: uniqueIn ?? "",
    max: GCP_NAME_LIMITS.serviceAccountId,
  });
}

/**
 * A GKE node pool name `<base>-<suffix>` (e.g. `prod-gpu-spot`) within GKE's 40 characters,
 * unique per cluster: a long base is shortened and followed by a hash.
 */
export function nodePoolName(base: string, suffix: string): string {
  return cloudName({
    scope: gcpNameStem(base) || "pool",
    suffix,
    max: GCP_NAME_LIMITS.nodePool,
  });
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
