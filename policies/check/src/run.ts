import path from "node:path";
import { runProgram } from "../../../components/testing";
import { type CheckOptions, parseCheckArgs, requestedFormat, USAGE } from "./args";
import { CheckInputError } from "./errors";
import { estimateCost, evaluatePacks } from "./evaluate";
import { describeFailure, type FailureContext } from "./failure";
import { PACKS } from "./packs";
import { loadPacksConfig } from "./policy-config";
import { resolveTarget } from "./program-target";
import { jsonFailureReport, jsonReport } from "./report/json";
import { sarifFailureReport, sarifReport } from "./report/sarif";
import { textReport } from "./report/text";
import { type CheckResult, isBlocking } from "./result";

/** Where the check writes: the report to `out`, diagnostics to `err`. */
export interface CheckIo {
  /** The report. */
  out: (text: string) => void;
  /** Usage, warnings and errors. */
  err: (text: string) => void;
}

/** Exit codes, as documented. */
export const EXIT = { pass: 0, mandatoryViolation: 1, failure: 2 } as const;

/** Runs the program with anything it prints to stdout sent to stderr, so stdout holds only the report. */
async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}

async function check(options: CheckOptions, io: CheckIo, context: FailureContext): Promise<number> {
  const target = resolveTarget(options.target, options.cwd);
  context.stack = target.stack;
  context.projectDir = target.projectDir;
  context.program = target.program;
  const packsConfig = loadPacksConfig(
    options.policyConfigFile && path.resolve(options.cwd, options.policyConfigFile),
    PACKS,
  );
  for (const warning of target.warnings) io.err(`hybridai check: warning: ${warning}\n`);
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await quietly(() =>
      runProgram(target.program, {
        config: target.config,
        stack: target.stack,
        project: target.project,
      }),
    );
  } catch (error) {
    throw new CheckInputError(
      `the program failed: ${(error as Error)?.message ?? String(error)}`,
      error,
    );
  }
  const resources = [...run.mocks.resources];
  const result: CheckResult = {
    target: { ...target, program: run.entry },
    resources,
    cost: estimateCost(resources),
    violations: await evaluatePacks(resources, PACKS, packsConfig, target),
  };
  const reports = { text: textReport, json: jsonReport, sarif: sarifReport };
  io.out(reports[options.format](result, PACKS));
  if (options.format !== "text") {
    for (const u of result.cost.unpriced) {
      io.err(`hybridai check: not priced: ${u.resourceType} ${u.resourceName} (${u.reason})\n`);
    }
  }
  return result.violations.some(isBlocking) ? EXIT.mandatoryViolation : EXIT.pass;
}

/**
 * `hybridai check …`: exit 0 when no mandatory violation, 1 when any, 2 when the arguments, a
 * config file or the program fail. A failure's reason goes to stderr; with `--format json` or
 * `sarif`, stdout also gets it in that format, so a CI job parsing the output never reads an
 * empty file.
 */
export async function runCheck(argv: readonly string[], io: CheckIo): Promise<number> {
  const context: FailureContext = { projectDir: process.cwd() };
  try {
    const options = parseCheckArgs(argv);
    if (options === "help") {
      io.out(`${USAGE}\n`);
      return EXIT.pass;
    }
    context.projectDir = options.cwd;
    return await check(options, io, context);
  } catch (error) {
    if (error instanceof CheckInputError) {
      io.err(`hybridai check: ${error.message}\n`);
      if (/^(Unknown option|Option|give exactly|--)/.test(error.message)) io.err(`\n${USAGE}\n`);
    } else {
      io.err(`hybridai check: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    const format = requestedFormat(argv);
    if (format === "json") io.out(jsonFailureReport(describeFailure(error, context)));
    if (format === "sarif") io.out(sarifFailureReport(describeFailure(error, context)));
    return EXIT.failure;
  }
}
