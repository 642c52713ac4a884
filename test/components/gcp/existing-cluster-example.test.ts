import { readFileSync } from "node:fs";
import {
  awaitOutput,
  installMocks,
  settle,
  validateKubernetesObjects,
} from "pulumi-hybridai/testing";
import { expect, it } from "vitest";
import { existingGkeClusterExample } from "./existing-cluster-example";

// The kit's default `gcp.container.getCluster` answer stands in for the existing cluster.
const mocks = installMocks();

it("docs/existing-clusters.md's existing-GKE program runs: pools, store and service on the looked-up cluster", async () => {
  const { url, nodeServiceAccount } = existingGkeClusterExample();
  await settle();
  expect(await awaitOutput(url)).toBe("http://ranker.hybridai.svc.cluster.local:8000");
  const account = mocks.one("gcp:serviceaccount/account:Account", "serving-nodes");
  expect(await awaitOutput(nodeServiceAccount)).toBe(account.state.email);
  expect(mocks.ofType("gcp:container/cluster:Cluster")).toEqual([]);
  const pools = mocks.ofType("gcp:container/nodePool:NodePool");
  expect(pools.map((p) => [p.name, p.inputs.cluster, p.inputs.nodeConfig.serviceAccount])).toEqual([
    ["l4-on-demand", "serving", account.state.email],
    ["l4-spot", "serving", account.state.email],
  ]);
  expect(mocks.one("gcp:serviceaccount/iAMMember:IAMMember").inputs.member).toBe(
    "serviceAccount:acme-ml.svc.id.goog[hybridai/model-reader]",
  );
  const provider = mocks.one("pulumi:providers:kubernetes", "serving-k8s");
  const objects = mocks.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(objects.length).toBeGreaterThan(5);
  expect(objects.every((o) => o.provider === `${provider.urn}::${provider.id}`)).toBe(true);
  const checked = validateKubernetesObjects(mocks.resources);
  expect(checked.map((o) => [o.kind, o.status]).sort()).toEqual([
    ["Deployment", "validated"],
    ["HorizontalPodAutoscaler", "validated"],
    ["Namespace", "validated"],
    ["NetworkPolicy", "validated"],
    ["PodDisruptionBudget", "validated"],
    ["Service", "validated"],
    ["ServiceAccount", "validated"],
  ]);
});

it("docs/existing-clusters.md shows this program verbatim", () => {
  const page = readFileSync("docs/existing-clusters.md", "utf8");
  const program = readFileSync("test/components/gcp/existing-cluster-example.ts", "utf8");
  const body = program.slice(
    program.indexOf("  // Look the cluster up"),
    program.indexOf("\n  return"),
  );
  expect(page).toContain(body.replace(/^ {2}/gm, ""));
});
