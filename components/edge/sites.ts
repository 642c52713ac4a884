import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSpec } from "../accelerators";
import { HybridAiConfigError } from "../errors";
import { assertDns1035 } from "../kubernetes/validate";
import { assertOneOf, assertWholeNumber } from "../validate";
import type { EdgeArch, EdgeSite } from "./edge-fleet-args";

/** The architectures the runtime image is built for. */
export const EDGE_ARCHES: readonly EdgeArch[] = ["amd64", "arm64"];

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** An {@link EdgeSite} checked, with defaults applied. */
export interface ResolvedSite {
  /** Position in `args.sites`, for error messages. */
  index: number;
  /** Site name. */
  name: string;
  /** The kubeconfig (contents or path). */
  kubeconfig: pulumi.Input<string>;
  /** Kubeconfig context, when named. */
  context?: string;
  /** Region label. */
  region: string;
  /** Rollout ring. */
  ring: number;
  /** Device architecture. */
  arch: EdgeArch;
  /** Replicas: one per device. */
  devices: number;
  /** GPUs per replica, when any. */
  accelerator?: AcceleratorSpec;
  /** The site as given, for its optional overrides. */
  site: EdgeSite;
}

/**
 * Refuses an NVIDIA accelerator on arm64: onnxruntime-node publishes CUDA builds for x86-64
 * Linux only, so arm64 devices (Jetson included) serve on CPU with the stock image.
 */
export function assertArchAccelerator(
  component: string,
  field: string,
  arch: EdgeArch,
  accelerator: unknown,
): void {
  if (arch === "arm64" && accelerator !== undefined) {
    throw new HybridAiConfigError(
      component,
      field,
      accelerator,
      "none on arm64: onnxruntime-node's CUDA builds are x86-64 only, so arm64 devices (Jetson included) serve on CPU; leave the accelerator out, or use an amd64 host with an NVIDIA GPU",
    );
  }
}

function assertLabelValue(component: string, field: string, value: unknown): void {
  if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
    throw new HybridAiConfigError(
      component,
      field,
      value,
      "a Kubernetes label value: letters, digits, '-', '_', '.', alphanumeric at both ends, at most 63 characters",
    );
  }
}

function resolveSite(component: string, site: EdgeSite, index: number): ResolvedSite {
  const field = `sites[${index}]`;
  if (site === null || typeof site !== "object") {
    throw new HybridAiConfigError(component, field, site, "{ name, kubeconfig, region, ring }");
  }
  assertDns1035(component, `${field}.name`, site.name);
  if (site.kubeconfig === undefined || site.kubeconfig === null || site.kubeconfig === "") {
    throw new HybridAiConfigError(
      component,
      `${field}.kubeconfig`,
      site.kubeconfig,
      "the site cluster's kubeconfig (its contents, as a secret, or a file path)",
    );
  }
  assertLabelValue(component, `${field}.region`, site.region);
  assertWholeNumber(component, `${field}.ring`, site.ring, 0, 99);
  const arch = site.arch ?? "amd64";
  assertOneOf(component, `${field}.arch`, arch, EDGE_ARCHES);
  assertArchAccelerator(component, `${field}.accelerator`, arch, site.accelerator);
  const devices = site.devices ?? 1;
  assertWholeNumber(component, `${field}.devices`, devices, 1, 64);
  return {
    index,
    name: site.name,
    kubeconfig: site.kubeconfig,
    ...(site.context !== undefined ? { context: site.context } : {}),
    region: site.region,
    ring: site.ring,
    arch,
    devices,
    ...(site.accelerator !== undefined ? { accelerator: site.accelerator } : {}),
    site,
  };
}

/**
 * Checks every site and groups them by ring, ring 0 first (sites keep their given order within a
 * ring). Throws {@link HybridAiConfigError} for no sites, a bad or repeated site name, a missing
 * kubeconfig, a bad region, ring, architecture or device count, an accelerator on arm64, or
 * rings that do not run from 0 without gaps.
 */
export function resolveRings(component: string, sites: EdgeSite[]): ResolvedSite[][] {
  if (!Array.isArray(sites) || sites.length === 0) {
    throw new HybridAiConfigError(
      component,
      "sites",
      sites,
      "a non-empty list of { name, kubeconfig, region, ring }",
    );
  }
  const resolved = sites.map((site, i) => resolveSite(component, site, i));
  const seen = new Map<string, number>();
  for (const site of resolved) {
    const first = seen.get(site.name);
    if (first !== undefined) {
      throw new HybridAiConfigError(
        component,
        `sites[${site.index}].name`,
        site.name,
        `a name no other site has (sites[${first}] is already "${site.name}")`,
      );
    }
    seen.set(site.name, site.index);
  }
  const highest = Math.max(...resolved.map((s) => s.ring));
  const rings: ResolvedSite[][] = [];
  for (let ring = 0; ring <= highest; ring++) {
    const members = resolved.filter((s) => s.ring === ring);
    if (members.length === 0) {
      const used = [...new Set(resolved.map((s) => s.ring))].sort((a, b) => a - b);
      throw new HybridAiConfigError(
        component,
        "sites[].ring",
        used,
        `rings numbered from 0 without gaps (0 is the canary ring): no site is in ring ${ring}`,
      );
    }
    rings.push(members);
  }
  return rings;
}
