import { type PackResourcePolicy, settingsOf } from "../../../shared/src/policy";
import { stringAt, stringsAt } from "../../../shared/src/props";

/** AWS services that are global: their resources have no region to check. */
const GLOBAL_AWS_MODULES = ["aws:iam/", "aws:route53/", "aws:cloudfront/", "aws:organizations/"];

/** A GCP zone (`us-central1-a`) becomes its region; regions and multi-regions stay as they are. */
function gcpRegionOf(location: string): string {
  const lower = location.toLowerCase();
  return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(lower) ? lower.replace(/-[a-z]$/, "") : lower;
}

/** The regions a resource places things in; empty when it names none. */
function regionsOf(type: string, props: unknown, providerProps: unknown): string[] {
  if (type.startsWith("aws:")) {
    if (GLOBAL_AWS_MODULES.some((m) => type.startsWith(m))) return [];
    const region = stringAt(props, "region") ?? stringAt(providerProps, "region");
    return region ? [region] : [];
  }
  if (type.startsWith("gcp:")) {
    const own = ["location", "region", "zone"]
      .map((field) => stringAt(props, field))
      .filter((l): l is string => l !== undefined);
    const places = [...own, ...stringsAt(props, "nodeLocations")];
    if (places.length === 0) {
      const fallback = stringAt(providerProps, "region") ?? stringAt(providerProps, "zone");
      if (fallback) places.push(fallback);
    }
    return [...new Set(places.map(gcpRegionOf))];
  }
  return [];
}

/** Cloud resources live only in allowed regions (any region when none are listed). */
export const allowedRegions: PackResourcePolicy = {
  name: "allowed-regions",
  description:
    "AWS and GCP resources are created only in allowed regions (the resource's region, location " +
    "or zone, else its provider's region). Any region until configured.",
  remediationSteps:
    "Deploy to an allowed region (set aws:region / gcp:region or the resource's location), or add " +
    "the region to allowedRegions. GCP multi-regions (US, EU) count as their own names.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedRegions: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Regions, e.g. ["us-west-2", "us-central1"]. Empty: any region.',
      },
    },
  },
  validateResource: (args, report) => {
    if (!args.type.startsWith("aws:") && !args.type.startsWith("gcp:")) {
      args.notApplicable("applies to AWS and GCP resources");
    }
    const { allowedRegions: allowed } = settingsOf<{ allowedRegions: string[] }>(
      args,
      allowedRegions.configSchema,
    );
    if (allowed.length === 0) return;
    const allowedLower = allowed.map((r) => r.toLowerCase());
    const outside = regionsOf(args.type, args.props, args.provider?.props).filter(
      (r) => !allowedLower.includes(r.toLowerCase()),
    );
    if (outside.length > 0) {
      report(`"${args.name}" is placed in ${outside.join(", ")}; allowed: ${allowed.join(", ")}.`);
    }
  },
};
