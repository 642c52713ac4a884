import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../stacks/config";
import { STACK_SECTIONS } from "../../stacks/sections";
import {
  changedConfig,
  rawConfig,
  type StackFileConfig,
  type StackVariant,
  stackFileConfig,
} from "./stack-files";

/** A name in a stack's config that ends up in cloud names, and how to change it. */
interface NameField {
  /** Where it is, for messages. */
  label: string;
  /** Its current value. */
  value: string;
  /** Sets it (and everything that refers to it) in a config map. */
  set(config: StackFileConfig, value: string): void;
}

type Section = Record<string, unknown> & {
  cluster?: { name?: string };
  fleets?: { name: string }[];
  nodeGroups?: { name: string }[];
  services?: { cluster: string }[];
  llm?: { cluster: string }[];
  endpoints?: { cluster: string }[];
};

/** The cluster sections and their default cluster names (what the section uses without `cluster.name`). */
const CLUSTER_SECTIONS: Readonly<Record<string, string>> = {
  "hybridai:aws": "hybridai",
  "hybridai:gcp": "gke",
};

/** Sections whose lists hold named node pools: key → list fields. */
const POOL_LISTS: Readonly<Record<string, readonly ("fleets" | "nodeGroups")[]>> = {
  "hybridai:aws": ["fleets", "nodeGroups"],
};

function section(config: StackFileConfig, key: string): Section {
  return config[key] as Section;
}

/** The cluster names of a stack's config; renaming one also renames the serving references to it. */
export function clusterNameFields(config: StackFileConfig): NameField[] {
  return Object.entries(CLUSTER_SECTIONS)
    .filter(([key]) => config[key] !== undefined)
    .map(([key, fallback]) => {
      const value = section(config, key).cluster?.name ?? fallback;
      return {
        label: `${key}.cluster.name`,
        value,
        set(target, renamed) {
          const own = section(target, key);
          own.cluster = { ...own.cluster, name: renamed };
          const serving = section(target, "hybridai:serving");
          for (const service of [...(serving?.services ?? []), ...(serving?.llm ?? [])]) {
            if (service.cluster === value) service.cluster = renamed;
          }
          for (const endpoint of section(target, "hybridai:failover")?.endpoints ?? []) {
            if (endpoint.cluster === value) endpoint.cluster = renamed;
          }
        },
      };
    });
}

/** The node pool names of a stack's config (AWS fleets and node groups). */
function poolNameFields(config: StackFileConfig): NameField[] {
  return Object.entries(POOL_LISTS).flatMap(([key, lists]) =>
    lists.flatMap((list) =>
      (section(config, key)?.[list] ?? []).map((pool, i) => ({
        label: `${key}.${list}[${i}].name`,
        value: pool.name,
        set(target: StackFileConfig, renamed: string) {
          (section(target, key)[list] as { name: string }[])[i].name = renamed;
        },
      })),
    ),
  );
}

function isValid(config: StackFileConfig): boolean {
  const raw = rawConfig(config);
  pulumi.runtime.setAllConfig(raw);
  try {
    validateStackConfig(raw, STACK_SECTIONS);
    return true;
  } catch {
    return false;
  }
}

/** `name` extended with `-` and letters to exactly `length` characters (distinct per `seed`). */
function lengthened(name: string, length: number, seed: number): string {
  if (length <= name.length) return name;
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const fill = Array.from({ length: length - name.length - 1 }, (_, i) => letters[(i + seed) % 26]);
  return `${name}-${fill.join("")}`;
}

/**
 * The longest value the stack's own validation accepts for a name (binary search up to 512),
 * with the rest of the config as given.
 */
function longestAccepted(config: StackFileConfig, field: NameField, seed: number): number {
  let accepted = field.value.length;
  let rejected = 513;
  while (rejected - accepted > 1) {
    const middle = Math.floor((accepted + rejected) / 2);
    const probe = changedConfig(config, (c) => field.set(c, lengthened(field.value, middle, seed)));
    if (isValid(probe)) accepted = middle;
    else rejected = middle;
  }
  return accepted;
}

/** The config with each of the fields lengthened, one after another, to the longest the stack accepts. */
function withLongest(config: StackFileConfig, fields: (c: StackFileConfig) => NameField[]) {
  let current = config;
  for (let i = 0; i < fields(config).length; i++) {
    const longest = longestAccepted(current, fields(current)[i], i);
    current = changedConfig(current, (c) =>
      fields(c)[i].set(c, lengthened(fields(current)[i].value, longest, i)),
    );
  }
  return current;
}

/** Another region of the same cloud, for the "same cluster, another region" variant. */
const OTHER_REGION: Readonly<Record<string, string>> = {
  "us-west-2": "eu-west-1",
  "us-central1": "europe-west4",
};

/**
 * The stack as shipped plus its hidden variants: cluster names at the longest the stack accepts;
 * every cluster and pool name at its longest; each cluster renamed (a second cluster in the same
 * account and region); and the same clusters in another region (every occurrence of the region
 * in the config replaced, zones included).
 */
export function stackVariants(
  stack: string,
): Record<"shipped" | "longClusterNames" | "longNames" | "renamed" | "otherRegion", StackVariant> {
  const config = stackFileConfig(stack);
  const variant = (name: string, changed: StackFileConfig): StackVariant => ({
    stack,
    variant: name,
    raw: rawConfig(changed),
  });
  const longClusters = withLongest(config, clusterNameFields);
  const longAll = withLongest(longClusters, poolNameFields);
  const renamed = changedConfig(config, (c) => {
    for (const field of clusterNameFields(c)) field.set(c, `${field.value.slice(0, -1)}z`);
  });
  // Every cloud's region moves (a stack on AWS and GCP moves in both).
  const regions = [config["aws:region"], config["gcp:region"]]
    .filter((r): r is string => typeof r === "string")
    .map(String);
  const region = regions[0] ?? "";
  const moved = JSON.parse(
    regions.reduce(
      (text, from) => text.replaceAll(from, OTHER_REGION[from] ?? from),
      JSON.stringify(config),
    ),
  ) as StackFileConfig;
  return {
    shipped: variant("as shipped", config),
    longClusterNames: variant("cluster names at their longest", longClusters),
    longNames: variant("every cluster and pool name at its longest", longAll),
    renamed: variant("another cluster name", renamed),
    otherRegion: variant(`in ${OTHER_REGION[region] ?? region}`, moved),
  };
}
