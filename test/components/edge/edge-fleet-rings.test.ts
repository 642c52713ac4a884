import { edge } from "pulumi-hybridai";
import { installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";

const mocks = installMocks();

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const PROVIDER = "pulumi:providers:kubernetes";

/** Four rings; ring 1 has two sites, so "waits for ring 1" means both of its StatefulSets. */
const SITES = [
  { name: "canary", ring: 0 },
  { name: "early-a", ring: 1 },
  { name: "early-b", ring: 1 },
  { name: "broad", ring: 2 },
  { name: "last", ring: 3 },
];

new edge.EdgeFleet("ranker", {
  model: { uri: "https://models.example.com/ranker", revision: "v7" },
  image: "registry.example.com/hybridai-serve:1.2.0",
  sites: SITES.map((site) => ({
    ...site,
    region: "eu-west",
    kubeconfig: `kubeconfig-${site.name}`,
  })),
});

function siteResources(site: string): RecordedResource[] {
  const provider = mocks.one(PROVIDER, `ranker-${site}`);
  return mocks.resources.filter((r) => r.provider?.startsWith(`${provider.urn}::`));
}

function statefulSetUrns(ring: number): string[] {
  return SITES.filter((site) => site.ring === ring)
    .map((site) => mocks.one(STATEFUL_SET, `ranker-${site.name}`).urn)
    .sort();
}

describe("EdgeFleet with four rollout rings", async () => {
  await settle();

  it.each(SITES)(
    "makes every object of site $name wait for exactly the StatefulSets of the ring before its own",
    ({ name, ring }) => {
      const expected = ring === 0 ? [] : statefulSetUrns(ring - 1);
      const objects = siteResources(name);
      expect(objects.length).toBeGreaterThan(3);
      for (const record of objects) {
        const waitsFor = record.dependencies.filter((urn) => urn.includes(STATEFUL_SET)).sort();
        expect(waitsFor, `${record.type} ${record.name}`).toEqual(expected);
      }
    },
  );
});
