import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHourlyPriceCap } from "../../policies/cost/src";

// Runs each pack exactly as `pulumi preview --policy-pack policies/<pack>` starts it (the Pulumi
// Node.js policy runner: ts-node with type checking, cwd = the pack), then talks to it over the
// analyzer gRPC protocol the engine uses.
const root = path.resolve(__dirname, "../..");
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
const { Empty } = pulumiRequire("google-protobuf/google/protobuf/empty_pb") as {
  Empty: new () => never;
};
const runner = path.join(
  path.dirname(require.resolve("@pulumi/pulumi/package.json")),
  "cmd/run-policy-pack",
);

let pack: ChildProcess | undefined;
afterEach(() => {
  pack?.kill();
  pack = undefined;
});

/** Starts the pack and resolves to the analyzer port it prints, or rejects with its stderr. */
function startPack(folder: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
      cwd: path.join(root, folder),
    });
    pack = child;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const port = /^(\d+)\s*$/m.exec(stdout);
      if (port) resolve(Number(port[1]));
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("exit", (code) => reject(new Error(`${folder} exited with ${code}: ${stderr}`)));
  });
}

function client(port: number): analyzerRpc.AnalyzerClient {
  return new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function call<T>(invoke: (done: (error: Error | null, response: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    invoke((error, response) => (error ? reject(error) : resolve(response))),
  );
}

function analyzerInfo(port: number): Promise<analyzerPb.AnalyzerInfo> {
  return call((done) => client(port).getAnalyzerInfo(new Empty(), done));
}

function analyze(
  port: number,
  type: string,
  props: Record<string, unknown>,
): Promise<analyzerPb.AnalyzeResponse> {
  const request = new analyzerPb.AnalyzeRequest()
    .setType(type)
    .setName("subject")
    .setUrn(`urn:pulumi:dev::ml::${type}::subject`)
    .setProperties(Struct.fromJavaScript(props) as never)
    .setOptions(new analyzerPb.AnalyzerResourceOptions());
  return call((done) => client(port).analyze(request, done));
}

const LEVEL = ["advisory", "mandatory", "disabled", "remediate"];

describe("policy packs served as pulumi preview --policy-pack runs them", () => {
  it("hybridai-compliance announces its policies and reports a public EKS endpoint as mandatory", {
    timeout: 120_000,
  }, async () => {
    const port = await startPack("policies/compliance");
    const info = await analyzerInfo(port);
    expect(info.getName()).toBe("hybridai-compliance");
    expect(info.getVersion()).toBe("0.1.0");
    const policies = info.getPoliciesList();
    expect(policies).toHaveLength(27);
    const audit = policies.find((p) => p.getName() === "eks-audit-logging");
    expect(LEVEL[audit?.getEnforcementlevel() ?? -1]).toBe("mandatory");
    expect(audit?.getConfigschema()?.getProperties()?.toJavaScript()).toEqual({
      requiredLogTypes: expect.objectContaining({ default: ["audit"] }),
    });
    const response = await analyze(port, "aws:eks/cluster:Cluster", {
      vpcConfig: { subnetIds: ["a"] },
    });
    const diagnostics = response
      .getDiagnosticsList()
      .map((d) => [d.getPolicyname(), LEVEL[d.getEnforcementlevel()]]);
    expect(diagnostics).toEqual([
      ["eks-secrets-encryption", "mandatory"],
      ["eks-audit-logging", "mandatory"],
      ["eks-endpoint-restricted", "mandatory"],
    ]);
  });

  it("hybridai-cost announces its policies and reports a flagship node", {
    timeout: 120_000,
  }, async () => {
    const port = await startPack("policies/cost");
    const info = await analyzerInfo(port);
    expect(info.getName()).toBe("hybridai-cost");
    expect(info.getPoliciesList().map((p) => p.getName())).toEqual([
      "accelerator-machine-types-allowed",
      "non-production-accelerators-spot-or-zero",
      "node-hourly-price-cap",
      "monthly-budget",
    ]);
    const response = await analyze(port, "aws:ec2/launchTemplate:LaunchTemplate", {
      instanceType: "p5.48xlarge",
    });
    // The analyzer prefixes each message with the policy's description, as `pulumi preview` shows it.
    expect(response.getDiagnosticsList().map((d) => d.getMessage())).toEqual([
      `${nodeHourlyPriceCap.description}\n"subject" uses flagship p5.48xlarge (8 GPUs); add it to allowedFlagshipMachineTypes to allow it.`,
    ]);
  });
});
