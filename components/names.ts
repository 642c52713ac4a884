import { createHash } from "node:crypto";
import { HybridAiConfigError } from "./errors";

/** Hex characters of the hash that marks a shortened or scoped name. */
export const NAME_HASH_LENGTH = 6;

/** How {@link cloudName} builds a cloud resource name. */
export interface CloudNameSpec {
  /** Fixed text first, kept whole, e.g. `hybridai-fleet`. Default none. */
  prefix?: string;
  /**
   * What makes the name unique per cluster, usually the cluster name (or the component name
   * that contains it). The only part ever shortened.
   */
  scope: string;
  /** Fixed text last, kept whole, e.g. `system` or `l4-spot`. Default none. */
  suffix?: string;
  /** The cloud's length limit for this name (counting the trailing `-` of a prefix). */
  max: number;
  /**
   * Identity the name must also be unique by but does not contain, e.g. the region for a
   * project-wide GCP service account id of a regional cluster. When set, the hash (of every
   * part and this) is always added. Default none.
   */
  uniqueIn?: string;
  /** End with `-`: a name prefix the cloud completes with a unique suffix (AWS `namePrefix`). */
  trailingDash?: boolean;
  /** The component whose name this is, for errors. Default `cloudName`. */
  component?: string;
  /** The user field the fixed parts come from, for errors. Default `name`. */
  field?: string;
}

function hashOf(spec: CloudNameSpec): string {
  return createHash("sha256")
    .update([spec.prefix, spec.scope, spec.suffix, spec.uniqueIn].join("\u0000"))
    .digest("hex")
    .slice(0, NAME_HASH_LENGTH);
}

/**
 * A cloud resource name `<prefix>-<scope>-<suffix>` within `max` characters and unique per
 * cluster. When it fits (and `uniqueIn` is unset) it is returned as is; otherwise the scope is
 * cut and followed by a stable hash of all the parts, so two long scopes that share their start
 * still differ: `inference-prod-europe-…-3f9a1c-system`. The prefix and suffix are never cut, so
 * patterns matching them (autoscaler priorities, `-spot` node groups) keep working. Throws
 * {@link HybridAiConfigError} when the fixed parts leave no room for the scope.
 */
export function cloudName(spec: CloudNameSpec): string {
  const dash = spec.trailingDash ? "-" : "";
  const join = (scope: string, hash?: string) =>
    [spec.prefix, scope, hash, spec.suffix].filter((p) => p !== undefined && p !== "").join("-") +
    dash;
  const whole = join(spec.scope);
  if (spec.uniqueIn === undefined && whole.length <= spec.max) return whole;
  const hash = hashOf(spec);
  const room = spec.max - join("", hash).length - 1;
  if (room < 1) {
    const fixed = [spec.prefix, spec.suffix].filter(Boolean).join("…");
    throw new HybridAiConfigError(
      spec.component ?? "cloudName",
      spec.field ?? "name",
      fixed,
      `a shorter name: the generated cloud name must be at most ${spec.max} characters including the cluster name and a ${NAME_HASH_LENGTH}-character hash`,
    );
  }
  const scope = spec.scope.slice(0, room).replace(/-+$/, "");
  return join(scope, hash);
}
