import { readFileSync } from "node:fs";
import path from "node:path";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { PackDefinition } from "../../../shared/src/policy";
import { type CheckResult, isBlocking } from "../result";

function level(enforcement: string): "error" | "warning" | "none" {
  if (enforcement === "mandatory" || enforcement === "remediate") return "error";
  return enforcement === "advisory" ? "warning" : "none";
}

/** The file results point at (the stack config, else the program), relative to the working directory. */
function artifact(result: CheckResult): { uri: string; lines: string[] } {
  const file = result.target.configFile ?? result.target.program;
  let lines: string[] = [];
  try {
    lines = readFileSync(file, "utf8").split("\n");
  } catch {
    // A folder or an unreadable file: results point at line 1.
  }
  return { uri: path.relative(process.cwd(), file).split(path.sep).join("/"), lines };
}

/** The first line naming the resource (its name, or its prefix before the last dash), else 1. */
function lineOf(lines: readonly string[], resourceName: string): number {
  const candidates = [resourceName, resourceName.replace(/-[^-]+$/, "")];
  for (const candidate of candidates) {
    const index = lines.findIndex((l) => candidate.length > 2 && l.includes(candidate));
    if (index >= 0) return index + 1;
  }
  return 1;
}

/** The `--format sarif` report: SARIF 2.1.0, one rule per policy, one result per violation. */
export function sarifReport(result: CheckResult, packs: readonly PackDefinition[]): string {
  const rules: ReportingDescriptor[] = packs.flatMap((pack) =>
    pack.policies.map((policy) => ({
      id: `${pack.name}/${policy.name}`,
      name: policy.name,
      shortDescription: { text: policy.description },
      fullDescription: { text: policy.description },
      help: { text: policy.remediationSteps },
      defaultConfiguration: { level: level(policy.enforcementLevel) },
      properties: { pack: pack.name, enforcementLevel: policy.enforcementLevel },
    })),
  );
  const file = artifact(result);
  const results: Result[] = result.violations.map((v) => {
    const ruleId = `${v.pack}/${v.policy}`;
    return {
      ruleId,
      ruleIndex: rules.findIndex((r) => r.id === ruleId),
      level: isBlocking(v) ? "error" : level(v.enforcementLevel),
      message: { text: `${v.resourceType} ${v.resourceName}: ${v.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file.uri },
            region: { startLine: lineOf(file.lines, v.resourceName) },
          },
          logicalLocations: [
            {
              name: v.resourceName,
              fullyQualifiedName: `${v.resourceType}::${v.resourceName}`,
              kind: "resource",
            },
          ],
        },
      ],
      partialFingerprints: {
        "hybridaiViolation/v1": `${result.target.stack}/${ruleId}/${v.resourceType}/${v.resourceName}`,
      },
      properties: { enforcementLevel: v.enforcementLevel, stack: result.target.stack },
    };
  });
  const log: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "hybridai check", version: "0.1.0", rules } },
        automationDetails: { id: `hybridai-check/${result.target.stack}/` },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
