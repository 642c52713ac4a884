import { pathToFileURL } from "node:url";
import type { Location, Log, ReportingDescriptor, Result, Run } from "sarif";
import type { RecordedResource, SourceFrame } from "../../../../components/testing";
import { PACKAGE_VERSION } from "../../../../components/version";
import type { PackDefinition } from "../../../shared/src/policy";
import type { Violation } from "../evaluate";
import type { CheckFailure } from "../failure";
import type { ProgramTarget } from "../program-target";
import { type CheckResult, isBlocking } from "../result";
import {
  declarationSite,
  isOwnSource,
  relativeUri,
  type SourceScope,
  sourceRoot,
  sourceScope,
} from "../source-location";

/** The tool, as every run names it. */
const DRIVER = {
  name: "hybridai check",
  version: PACKAGE_VERSION,
  informationUri: "https://github.com/hybridai/hybridai/blob/main/docs/policies-and-check.md",
};

/** The base every artifact URI is relative to: the repository root. */
const SOURCE_ROOT_ID = "%SRCROOT%";

function level(enforcement: string): "error" | "warning" | "none" {
  if (enforcement === "mandatory" || enforcement === "remediate") return "error";
  return enforcement === "advisory" ? "warning" : "none";
}

function physical(site: SourceFrame, root: string): Location["physicalLocation"] {
  return {
    artifactLocation: { uri: relativeUri(site.file, root), uriBaseId: SOURCE_ROOT_ID },
    region: { startLine: site.line, startColumn: site.column },
  };
}

/**
 * Where a finding points: the line of the user's source that declared the resource, else the
 * stack's config file (stack-wide findings), else the program's entry file; each only when it
 * lies in the repository.
 */
function siteOf(
  target: ProgramTarget,
  scope: SourceScope,
  record: RecordedResource | undefined,
  byUrn: ReadonlyMap<string, RecordedResource>,
): SourceFrame | undefined {
  const declared = record ? declarationSite(record, byUrn, scope) : undefined;
  if (declared) return declared;
  return [target.configFile, target.program]
    .filter((file): file is string => file !== undefined && isOwnSource(file, scope.root))
    .map((file) => ({ file, line: 1, column: 1 }))[0];
}

/** What every run states besides its tool and results: which stack, and where paths start. */
function runContext(
  stack: string,
  root: string,
): Pick<Run, "automationDetails" | "originalUriBaseIds"> {
  return {
    automationDetails: { id: `hybridai-check/${stack}/` },
    originalUriBaseIds: { [SOURCE_ROOT_ID]: { uri: `${pathToFileURL(root).href}/` } },
  };
}

function log(runs: Run[]): string {
  const document: Log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function violationResult(
  v: Violation,
  rules: readonly ReportingDescriptor[],
  target: ProgramTarget,
  scope: SourceScope,
  byUrn: ReadonlyMap<string, RecordedResource>,
): Result {
  const ruleId = `${v.pack}/${v.policy}`;
  const site = siteOf(target, scope, v.urn ? byUrn.get(v.urn) : undefined, byUrn);
  return {
    ruleId,
    ruleIndex: rules.findIndex((r) => r.id === ruleId),
    level: isBlocking(v) ? "error" : level(v.enforcementLevel),
    message: { text: `${v.resourceType} ${v.resourceName}: ${v.message}` },
    locations: [
      {
        ...(site ? { physicalLocation: physical(site, scope.root) } : {}),
        logicalLocations: [
          {
            name: v.resourceName,
            fullyQualifiedName: v.urn ?? `${v.resourceType}::${v.resourceName}`,
            kind: "resource",
          },
        ],
      },
    ],
    partialFingerprints: {
      "hybridaiViolation/v1": `${target.stack}/${ruleId}/${v.resourceType}/${v.resourceName}`,
    },
    properties: { enforcementLevel: v.enforcementLevel, stack: target.stack },
  };
}

/**
 * The `--format sarif` report: SARIF 2.1.0, one rule per policy, one result per violation. Each
 * result points at the line of the user's source that declared the offending resource (from the
 * construction stack Pulumi's SDK records), as a path relative to the repository root, so GitHub
 * code scanning annotates that line in a pull request.
 */
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
  const scope = sourceScope(result.target.projectDir, result.target.program);
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  const results = result.violations.map((v) =>
    violationResult(v, rules, result.target, scope, byUrn),
  );
  return log([
    {
      tool: { driver: { ...DRIVER, rules } },
      ...runContext(result.target.stack, scope.root),
      results,
      invocations: [{ executionSuccessful: true }],
    },
  ]);
}

/** The rule of the one result a failed check reports. */
const FAILURE_RULE: ReportingDescriptor = {
  id: "hybridai-check/check-failed",
  name: "check-failed",
  shortDescription: { text: "The check could not run: the program or a config failed." },
  help: { text: "Fix the error the message names, then run the check again." },
  defaultConfiguration: { level: "error" },
};

/**
 * The `--format sarif` report of a check that could not run (exit 2): one run with one
 * error-level result carrying the failure, pointing at the line of the user's source that threw
 * when there is one, and the invocation marked unsuccessful.
 */
export function sarifFailureReport(failure: CheckFailure): string {
  const root = sourceRoot(failure.projectDir);
  const site = failure.site && isOwnSource(failure.site.file, root) ? failure.site : undefined;
  const text = [
    failure.message,
    ...(failure.component ? [`component: ${failure.component}`] : []),
    ...(failure.field ? [`field: ${failure.field}`] : []),
  ].join("; ");
  const result: Result = {
    ruleId: FAILURE_RULE.id,
    ruleIndex: 0,
    level: "error",
    message: { text },
    ...(site ? { locations: [{ physicalLocation: physical(site, root) }] } : {}),
    properties: { component: failure.component, field: failure.field },
  };
  return log([
    {
      tool: { driver: { ...DRIVER, rules: [FAILURE_RULE] } },
      ...runContext(failure.stack ?? "unknown", root),
      results: [result],
      invocations: [
        {
          executionSuccessful: false,
          exitCode: 2,
          toolExecutionNotifications: [{ level: "error", message: { text } }],
        },
      ],
    },
  ]);
}
