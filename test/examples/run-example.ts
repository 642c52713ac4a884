import { readdirSync } from "node:fs";
import path from "node:path";
import { type ProgramRun, runProgram } from "pulumi-hybridai/testing";
import { evaluatePacks, type Violation } from "../../policies/check/src/evaluate";
import { PACKS } from "../../policies/check/src/packs";
import { loadPacksConfig } from "../../policies/check/src/policy-config";
import { type ProgramTarget, resolveTarget } from "../../policies/check/src/program-target";

/** The examples folder. */
export const EXAMPLES = path.resolve(__dirname, "../../examples");

/** Every example: a folder of `examples/` with a `Pulumi.yaml`. */
export function exampleFolders(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Runs an example under the installed mocks as `pulumi up --stack dev` would: its program, its
 * project name and config defaults from `Pulumi.yaml`, and its sample stack file
 * `Pulumi.dev.yaml` (read the way `npm run check -- --program` reads one).
 */
export async function runExample(
  name: string,
  extraConfig: Record<string, string> = {},
): Promise<ProgramRun & { target: ProgramTarget }> {
  const folder = path.join(EXAMPLES, name);
  const target = resolveTarget({
    kind: "program",
    program: folder,
    configFile: path.join(folder, "Pulumi.dev.yaml"),
  });
  const run = await runProgram(target.program, {
    config: { ...target.config, ...extraConfig },
    project: target.project,
    stack: target.stack,
  });
  return { ...run, target };
}

/**
 * The mandatory violations of the compliance and cost packs on a run, as
 * `npm run check -- --program examples/<name> --config …/Pulumi.dev.yaml` reports them.
 */
export async function mandatoryViolations(
  run: ProgramRun & { target: ProgramTarget },
): Promise<Violation[]> {
  const violations = await evaluatePacks(
    [...run.mocks.resources],
    PACKS,
    loadPacksConfig(undefined, PACKS),
    run.target,
  );
  return violations.filter((v) => v.enforcementLevel === "mandatory");
}
