import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { installMocks, type RecordedResource, settle } from "pulumi-hybridai/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { HybridAiProvider, type PackageSchema } from "../../plugin/provider";
import { resolveTarget } from "../../policies/check/src/program-target";
import { EXAMPLES, exampleFolders, runExample } from "../examples/run-example";
import { readYamlProgram, runYamlProgram, type Schema } from "../examples/yaml-program";
import { chartValuesProblems } from "./checks/chart-values";
import { awaitedObjects, type ProgramRecords, waitBudgetProblems } from "./checks/wait-budgets";
import { runLabel, runVariant } from "./run-stack";
import { shippedStacks } from "./stack-files";
import { stackVariants } from "./variants";

// The cluster security group is an output EKS creates; the mocks return one so rules can name it.
const mocks = installMocks({
  outputs: ({ type, inputs }) =>
    type === "aws:eks/cluster:Cluster"
      ? { vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" } }
      : undefined,
});

/** Config an example's sample stack file cannot hold (secrets a user sets with `--secret`). */
const EXAMPLE_SECRETS: Readonly<Record<string, Record<string, string>>> = {
  "edge-cloud-fallback": { "edge-cloud-fallback:cloudToken": "cloud-token" },
  "yaml-onnx-service": { "yaml-onnx-service:kubeconfig": "{}" },
};

/** Runs one example (TypeScript or Pulumi YAML) under the mocks and returns what it registered. */
async function runExampleRecords(name: string): Promise<ProgramRecords> {
  const folder = path.join(EXAMPLES, name);
  const secrets = EXAMPLE_SECRETS[name] ?? {};
  if (existsSync(path.join(folder, "index.ts"))) {
    const run = await runExample(name, secrets);
    return { label: `examples/${name}`, records: [...run.mocks.resources] };
  }
  const target = resolveTarget({
    kind: "program",
    program: folder,
    configFile: path.join(folder, "Pulumi.dev.yaml"),
  });
  const config = { ...target.config, ...secrets } as Record<string, string>;
  await settle();
  mocks.reset();
  mocks.setConfig(config);
  const schema = JSON.parse(readFileSync("schema.json", "utf8")) as Schema & PackageSchema;
  await runYamlProgram(readYamlProgram(folder), config, new HybridAiProvider(schema));
  await settle();
  return { label: `examples/${name}`, records: [...mocks.resources] };
}

const runs: ProgramRecords[] = [];

beforeAll(async () => {
  for (const stack of shippedStacks()) {
    const run = await runVariant(mocks, stackVariants(stack).shipped);
    runs.push({ label: runLabel(run), records: run.records });
  }
  for (const name of exampleFolders()) runs.push(await runExampleRecords(name));
  expect(runs).toHaveLength(shippedStacks().length + exampleFolders().length);
});

/** A copy of a run with one record changed. */
function changed(
  run: ProgramRecords,
  pick: (r: RecordedResource) => boolean,
  change: (r: RecordedResource) => RecordedResource,
): ProgramRecords {
  const target = run.records.find(pick);
  expect(target, `${run.label}: nothing to change`).toBeDefined();
  return { ...run, records: run.records.map((r) => (r === target ? change(r) : r)) };
}

const runOf = (label: string) => runs.find((r) => r.label.startsWith(label)) as ProgramRecords;

describe("wait budgets of every shipped stack (stacks/) and example (examples/)", () => {
  it("walks every awaited Kubernetes object: workloads, Services, Helm releases, in every program", () => {
    expect(shippedStacks().length).toBeGreaterThanOrEqual(4);
    expect(exampleFolders().length).toBeGreaterThanOrEqual(4);
    const serving = runs.filter((run) =>
      run.records.some((r) => r.type === "kubernetes:core/v1:Service"),
    );
    // gke-tpu-v5e stops at the node pool, model store and service account.
    expect(runs.filter((run) => !serving.includes(run)).map((r) => r.label)).toEqual([
      "examples/gke-tpu-v5e",
    ]);
    for (const run of serving) {
      const kinds = new Set(
        awaitedObjects(run.records).map((a) => a.record.type.split(":").at(-1)),
      );
      expect([...kinds], run.label).toEqual(expect.arrayContaining(["Service"]));
      expect(kinds.has("Deployment") || kinds.has("StatefulSet"), run.label).toBe(true);
    }
    const releases = runs.flatMap((r) =>
      awaitedObjects(r.records).filter((a) => a.record.type === "kubernetes:helm.sh/v3:Release"),
    );
    expect(releases.length).toBeGreaterThan(5);
  });

  it("no object's budget is shorter than what it waits on, and no Service awaits pods that wait for it", () => {
    expect(runs.flatMap(waitBudgetProblems)).toEqual([]);
  });

  it("every Helm release and configured EKS add-on sets only keys its pinned chart's values.yaml has", () => {
    expect(runs.flatMap(chartValuesProblems)).toEqual([]);
  });
});

describe("the wait-budget rule fails where a budget is short", () => {
  const gpuService = (r: RecordedResource) =>
    r.type === "kubernetes:core/v1:Service" &&
    r.options.customTimeouts.create === "30m" &&
    !r.name.endsWith("-public");

  it("a GPU service's Service on the provider's 10-minute default (the fault of issue 25)", () => {
    const run = changed(runOf("aws-gpu"), gpuService, (r) => ({
      ...r,
      options: { ...r.options, customTimeouts: { create: "", update: "", delete: "" } },
    }));
    expect(waitBudgetProblems(run)).toEqual([
      expect.stringMatching(
        /Service .* waits 10m, but Deployment .* may take 30m \(its endpoints are that workload's pods\)/,
      ),
    ]);
  });

  it("an edge site's Service shorter than its StatefulSet, and a StatefulSet that waits for its Service", () => {
    const edge = runOf("edge-fleet");
    const service = (r: RecordedResource) => r.type === "kubernetes:core/v1:Service";
    const short = changed(edge, service, (r) => ({
      ...r,
      options: { ...r.options, customTimeouts: { create: "5m", update: "5m", delete: "" } },
    }));
    expect(waitBudgetProblems(short)).toEqual([
      expect.stringMatching(/Service .* waits 5m, but StatefulSet .* may take 15m/),
    ]);
    const target = edge.records.find(service) as RecordedResource;
    const deadlock = changed(
      edge,
      (r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === target.name,
      (r) => ({ ...r, dependencies: [...r.dependencies, target.urn] }),
    );
    expect(waitBudgetProblems(deadlock)).toEqual([
      expect.stringMatching(
        /Service .* awaits StatefulSet .*which waits for it: it can never become ready/,
      ),
    ]);
  });

  it("a Helm release pinned to a node group it does not wait for", () => {
    const run = changed(
      runOf("aws-gpu"),
      (r) =>
        r.type === "kubernetes:helm.sh/v3:Release" &&
        r.inputs.values?.nodeSelector?.["eks.amazonaws.com/nodegroup"] !== undefined,
      (r) => ({ ...r, dependencies: [], propertyDependencies: {} }),
    );
    expect(waitBudgetProblems(run)).toEqual([
      expect.stringMatching(
        /Release .* waits 5m, but NodeGroup .* may take 60m \(its pods run on those nodes\)/,
      ),
    ]);
  });
});
