import { spawn } from "node:child_process";
import path from "node:path";
import { installMocks } from "pulumi-hybridai/testing";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../policies/check/src/run";

// `hybridai check` on small programs in test/fixtures: the real bin in a child process where the
// process is what is tested (the bin, npm run, exit codes), the same command in this process
// (runCheck, what the bin calls) everywhere else, which spares a process start and a reload of
// the Pulumi SDKs per case.
const root = path.resolve(__dirname, "../..");
installMocks();
const bin = path.join(root, "policies/check/bin/hybridai.js");
const fixture = (name: string) => path.join("test/fixtures/check", name);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `hybridai check` in a child process, through the bin. */
const spawnCheck = (...args: string[]) => run(process.execPath, [bin, "check", ...args]);

/** `hybridai check` in this process: what the bin runs, with its output captured. */
async function check(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCheck(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe("hybridai check on a clean program", () => {
  it("exits 0, takes the stack name from the config file and prints the report", async () => {
    const result = await spawnCheck(
      "--program",
      fixture("clean"),
      "--config",
      fixture("clean/Pulumi.staging.yaml"),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "hybridai check: stack staging (project fixture-clean, program test/fixtures/check/clean/index.ts, config test/fixtures/check/clean/Pulumi.staging.yaml)",
    );
    expect(result.stdout).toContain("Resources: 4\n");
    expect(result.stdout).toContain("  at maximum capacity       $528.81\n");
    expect(result.stdout).toContain("  hybridai-cost: none (4 policies)\n");
    expect(result.stdout).toMatch(/Result: PASS: no mandatory violations, 1 advisory\n$/);
  });

  it("--format json through npm run --silent check prints one object and nothing else", async () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = await run(npm, [
      "run",
      "--silent",
      "check",
      "--",
      "--program",
      fixture("clean/index.ts"),
      "--config",
      fixture("clean/Pulumi.staging.yaml"),
      "--format",
      "json",
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(["stack", "resources", "cost", "violations"]);
    expect(report.stack).toBe("staging");
    expect(report.resources.map((r: { type: string }) => r.type).sort()).toEqual([
      "aws:eks/nodeGroup:NodeGroup",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ]);
    // 0..2 spot g6.xlarge at $0.8048 × 0.45 = $0.3622/h: 2 × 0.3622 × 730 = $528.81 at most.
    expect(report.cost.monthlyUsd).toEqual({ min: 0, max: 528.81 });
    expect(Object.keys(report.cost.items[0])).toEqual([
      "resourceType",
      "resourceName",
      "description",
      "monthlyUsd",
    ]);
    expect(report.violations).toEqual([
      {
        pack: "hybridai-compliance",
        policy: "eks-node-volumes-encrypted",
        enforcementLevel: "advisory",
        resourceType: "aws:eks/nodeGroup:NodeGroup",
        resourceName: "l4",
        message: expect.stringContaining('EKS node group "l4" has no launch template'),
      },
    ]);
  });
});

describe("hybridai check on a violating program", () => {
  it("exits 1 and names each mandatory violation with its resource", async () => {
    const result = await check(
      "--program",
      fixture("violating"),
      "--stack-name",
      "dev",
      "--format",
      "json",
    );
    expect(result.code).toBe(1);
    const { stack, violations } = JSON.parse(result.stdout);
    expect(stack).toBe("dev");
    const mandatory = violations
      .filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory")
      .map(
        (v: { pack: string; policy: string; resourceName: string }) =>
          `${v.pack}/${v.policy} ${v.resourceName}`,
      );
    expect(mandatory).toEqual([
      "hybridai-compliance/security-group-no-public-admin-ingress bastion",
      "hybridai-cost/non-production-accelerators-spot-or-zero a10g",
    ]);
  });

  it("the stack name decides what is production: the same program passes the cost pack as prod", async () => {
    const result = await check(
      "--program",
      fixture("violating"),
      "--stack-name",
      "prod",
      "--format",
      "json",
    );
    const { violations } = JSON.parse(result.stdout);
    expect(violations.map((v: { policy: string }) => v.policy)).not.toContain(
      "non-production-accelerators-spot-or-zero",
    );
    expect(result.code).toBe(1);
  });

  it("--policy-config changes levels and settings, keyed by pack name", async () => {
    const result = await check(
      "--program",
      fixture("violating/index.ts"),
      "--stack-name",
      "dev",
      "--policy-config",
      fixture("downgrade.policy-config.json"),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("  hybridai-cost: 1 mandatory, 1 advisory (4 policies)\n");
    expect(result.stdout).toContain(
      "    mandatory monthly-budget  pulumi:pulumi:Stack project-dev\n" +
        "              estimated $734.38/month at minimum capacity exceeds the $500 budget; biggest: a10g $734.38.\n",
    );
    expect(result.stdout).toContain(
      "    advisory  security-group-no-public-admin-ingress  aws:ec2/securityGroup:SecurityGroup bastion\n",
    );
  });

  it("--format sarif writes SARIF 2.1.0 with one rule per policy, each result at the line that declared its resource", async () => {
    const result = await check(
      "--program",
      fixture("violating"),
      "--stack-name",
      "dev",
      "--format",
      "sarif",
    );
    expect(result.code).toBe(1);
    const sarif = JSON.parse(result.stdout);
    expect(sarif.version).toBe("2.1.0");
    const [sarifRun] = sarif.runs;
    expect(sarifRun.tool.driver.rules).toHaveLength(31);
    expect(sarifRun.originalUriBaseIds["%SRCROOT%"].uri).toBe(`file://${root}/`);
    const errors = sarifRun.results.filter((r: { level: string }) => r.level === "error");
    expect(errors.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      "hybridai-compliance/security-group-no-public-admin-ingress",
      "hybridai-cost/non-production-accelerators-spot-or-zero",
    ]);
    // The node group is declared on line 5 of the program, the security group on line 14.
    const lines: Record<string, number> = { a10g: 5, bastion: 14 };
    for (const r of sarifRun.results) {
      expect(sarifRun.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const [location] = r.locations;
      expect(location.physicalLocation).toEqual({
        artifactLocation: { uri: "test/fixtures/check/violating/index.ts", uriBaseId: "%SRCROOT%" },
        region: { startLine: lines[location.logicalLocations[0].name], startColumn: 1 },
      });
    }
  });
});

describe("hybridai check --stack reads the Pulumi project in the working folder", () => {
  it("--cwd DIR --stack NAME runs DIR's Pulumi.yaml program with DIR/Pulumi.NAME.yaml", async () => {
    const result = await check("--cwd", fixture("clean"), "--stack", "staging");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "hybridai check: stack staging (project fixture-clean, program test/fixtures/check/clean/index.ts, config test/fixtures/check/clean/Pulumi.staging.yaml)",
    );
    expect(result.stdout).toContain("  at maximum capacity       $528.81\n");
  });

  it("runs Pulumi.yaml's main with the stack file from its stackConfigDir", async () => {
    const project = "test/fixtures/programs/main-elsewhere";
    const result = await check("--cwd", project, "--stack", "dev", "--format", "json");
    expect(result.stderr).toBe("");
    // The program ran: its one bucket (no encryption, no public access block) fails two policies.
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.stack).toBe("dev");
    expect(report.resources).toEqual([
      {
        type: "aws:s3/bucket:Bucket",
        name: "models",
        urn: "urn:pulumi:dev::laid-out::aws:s3/bucket:Bucket::models",
      },
    ]);
    expect(report.violations.map((v: { policy: string }) => v.policy).sort()).toEqual([
      "s3-bucket-encrypted",
      "s3-public-access-blocked",
    ]);
    const text = await check("--cwd", project, "--stack", "dev");
    expect(text.stdout).toContain(
      `hybridai check: stack dev (project laid-out, program ${project}/src/index.ts, config ${project}/stacks/Pulumi.dev.yaml)`,
    );
  });

  it("names the project's stacks when the stack has no file", async () => {
    const result = await check("--cwd", fixture("clean"), "--stack", "prod");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `no stack "prod": ${path.join(root, fixture("clean"), "Pulumi.prod.yaml")} does not exist; stacks of project fixture-clean: staging`,
    );
  });

  it("says what to do where there is no Pulumi.yaml", async () => {
    const result = await check("--cwd", "test/fixtures", "--stack", "dev");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `no Pulumi.yaml in ${path.join(root, "test/fixtures")}: run hybridai check from your Pulumi project's folder`,
    );
  });
});

describe("a failed check (exit 2) still prints a machine-readable result with --format json or sarif", () => {
  it("json: { error: { message, component, field } } naming the component and field a program's component rejected", async () => {
    const result = await check("--program", fixture("invalid-component"), "--format", "json");
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message:
          "the program failed: OnnxService: replicas.max = 2 is not valid. Allowed: a whole number from replicas.min (4) to 1000.",
        component: "OnnxService",
        field: "replicas.max",
      },
    });
    expect(result.stderr).toContain("hybridai check: the program failed: OnnxService");
  });

  it("json: component and field are null for a failure that is not a component's", async () => {
    const result = await check("--program", fixture("broken"), "--format", "json");
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout);
    expect(error).toEqual({
      message: expect.stringContaining(
        "the program failed: Missing required configuration variable 'fixture:size'",
      ),
      component: null,
      field: null,
    });
  });

  it("json: an invalid command line after --format json", async () => {
    const result = await check("--format", "json", "--stack", "nope");
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toMatch(/^no stack "nope"/);
  });

  it("sarif: one run with one error-level result at the program line that threw, and an unsuccessful invocation", async () => {
    const result = await check("--program", fixture("invalid-component"), "--format", "sarif");
    expect(result.code).toBe(2);
    const sarif = JSON.parse(result.stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    const [failed] = sarif.runs;
    expect(failed.results).toHaveLength(1);
    const [only] = failed.results;
    expect(only.level).toBe("error");
    expect(only.ruleId).toBe("hybridai-check/check-failed");
    expect(failed.tool.driver.rules[only.ruleIndex].id).toBe(only.ruleId);
    expect(only.message.text).toContain("OnnxService: replicas.max = 2 is not valid");
    expect(only.properties).toEqual({ component: "OnnxService", field: "replicas.max" });
    // Line 6 of the program creates the OnnxService.
    expect(only.locations[0].physicalLocation).toEqual({
      artifactLocation: {
        uri: "test/fixtures/check/invalid-component/index.ts",
        uriBaseId: "%SRCROOT%",
      },
      region: { startLine: 6, startColumn: 1 },
    });
    expect(failed.invocations).toEqual([
      expect.objectContaining({ executionSuccessful: false, exitCode: 2 }),
    ]);
  });

  it("sarif: a failure before any program ran has no location but is still one error result", async () => {
    const result = await check("--stack", "nope", "--format", "sarif");
    expect(result.code).toBe(2);
    const [failed] = JSON.parse(result.stdout).runs;
    expect(failed.results).toEqual([
      expect.objectContaining({
        level: "error",
        message: { text: expect.stringMatching(/^no stack "nope"/) },
      }),
    ]);
    expect(failed.results[0].locations).toBeUndefined();
  });
});

describe("hybridai check failures exit 2 with the reason on stderr", () => {
  it.each([
    [
      ["--program", fixture("broken")],
      "the program failed: Missing required configuration variable 'fixture:size'",
    ],
    [["--stack", "nope"], 'no stack "nope"'],
    [
      ["--stack", "aws-gpu", "--format", "xml"],
      "--format xml is not valid; allowed: text, json, sarif",
    ],
    [
      ["--program", fixture("clean"), "--stack", "aws-gpu"],
      "give exactly one of --stack NAME or --program PATH",
    ],
    [
      [
        "--program",
        fixture("violating"),
        "--policy-config",
        fixture("unknown-policy.policy-config.json"),
      ],
      'policy config: pack hybridai-cost has no policy "gpu-budget"',
    ],
    [
      [
        "--program",
        fixture("violating"),
        "--policy-config",
        fixture("bad-property.policy-config.json"),
      ],
      "hybridai-cost.monthly-budget: /budgetAtMaxCapacityUsd must be number",
    ],
  ])("%j", async (args, reason) => {
    const result = await check(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(reason);
  });
});

it("the bin exits 2 with the reason on stderr and nothing on stdout when the program fails", async () => {
  const result = await spawnCheck("--program", fixture("broken"));
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toContain("the program failed: Missing required configuration variable");
});

it("npm run --silent check -- --format sarif on a failing program exits 2 with one SARIF run on stdout and the reason on stderr", async () => {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = await run(npm, [
    "run",
    "--silent",
    "check",
    "--",
    "--program",
    fixture("invalid-component"),
    "--format",
    "sarif",
  ]);
  expect(result.code).toBe(2);
  const sarif = JSON.parse(result.stdout);
  expect(sarif.runs).toHaveLength(1);
  expect(sarif.runs[0].results).toEqual([
    expect.objectContaining({
      ruleId: "hybridai-check/check-failed",
      level: "error",
      properties: { component: "OnnxService", field: "replicas.max" },
    }),
  ]);
  expect(result.stderr).toContain("hybridai check: the program failed: OnnxService");
});

it("hybridai without a known command prints its usage and exits 2", async () => {
  const result = await run(process.execPath, [bin, "deploy"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('hybridai: unknown command "deploy"');
  expect(result.stderr).toContain("check   run a Pulumi program under mocks");
});
