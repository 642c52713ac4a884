import path from "node:path";
import { parseArgs } from "node:util";
import { CheckInputError } from "./errors";

/** Output formats of the check. */
export const FORMATS = ["text", "json", "sarif"] as const;
/** One output format. */
export type Format = (typeof FORMATS)[number];

/** What to check, as the command line says. */
export type CheckTarget =
  | { kind: "stack"; stack: string }
  | { kind: "program"; program: string; configFile?: string; stackName?: string };

/** Parsed `hybridai check` options. */
export interface CheckOptions {
  /** The shipped stack, or the program to run. */
  target: CheckTarget;
  /** The packs' config file (Pulumi policy config JSON keyed by pack name). */
  policyConfigFile?: string;
  /** Output format (default `text`). */
  format: Format;
  /** The folder to run in: the Pulumi project for `--stack`, the base of relative paths. */
  cwd: string;
}

/** The usage text `hybridai check --help` prints. */
export const USAGE = `Usage: hybridai check (--stack NAME | --program PATH [--config FILE] [--stack-name NAME])
                      [--policy-config FILE] [--format text|json|sarif] [--cwd DIR]

Runs a Pulumi program under Pulumi's mocks (no credentials, no Pulumi CLI), evaluates the
hybridai-compliance and hybridai-cost policy packs and estimates the monthly cost.

  --stack NAME         a stack of the Pulumi project in the working folder: its Pulumi.yaml
                       (name, main, stackConfigDir, config defaults) and Pulumi.NAME.yaml
  --program PATH       any Pulumi program: a .ts/.js file or a folder with index.ts
  --config FILE        Pulumi.<stack>.yaml-shaped config for --program
  --stack-name NAME    the stack name (default: <stack> of --config's file name, else dev)
  --policy-config FILE the packs' config: {"hybridai-cost": {"monthly-budget": {...}}, ...}
  --format FORMAT      text (default), json (one object on stdout), sarif (SARIF 2.1.0);
                       json and sarif also describe a failure (exit 2) on stdout
  --cwd DIR, -C DIR    run as if started in DIR (default: the working folder)

Exit status: 0 no mandatory violation, 1 a mandatory violation, 2 the program or a config failed.`;

/**
 * The output format the command line asks for, read leniently (it may be otherwise wrong), so
 * that a failure can still be reported in that format; `text` when none or an unknown one.
 */
export function requestedFormat(argv: readonly string[]): Format {
  let format: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === "--format") format = argv[i + 1];
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
  });
  return (FORMATS as readonly string[]).includes(format ?? "") ? (format as Format) : "text";
}

/** Parses `hybridai check` arguments; throws {@link CheckInputError} naming what is wrong. */
export function parseCheckArgs(argv: readonly string[]): CheckOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        program: { type: "string" },
        config: { type: "string" },
        "stack-name": { type: "string" },
        "policy-config": { type: "string" },
        format: { type: "string", default: "text" },
        cwd: { type: "string", short: "C" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CheckInputError((error as Error).message);
  }
  if (values.help) return "help";
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CheckInputError(`--format ${format} is not valid; allowed: ${FORMATS.join(", ")}`);
  }
  const stack = values.stack as string | undefined;
  const program = values.program as string | undefined;
  if ((stack === undefined) === (program === undefined)) {
    throw new CheckInputError("give exactly one of --stack NAME or --program PATH");
  }
  if (stack !== undefined && (values.config !== undefined || values["stack-name"] !== undefined)) {
    throw new CheckInputError(
      "--config and --stack-name go with --program; --stack reads Pulumi.<stack>.yaml of the " +
        "Pulumi project in the working folder",
    );
  }
  const policyConfigFile = values["policy-config"] as string | undefined;
  return {
    target:
      stack !== undefined
        ? { kind: "stack", stack }
        : {
            kind: "program",
            program: program as string,
            ...(values.config !== undefined ? { configFile: values.config as string } : {}),
            ...(values["stack-name"] !== undefined
              ? { stackName: values["stack-name"] as string }
              : {}),
          },
    ...(policyConfigFile !== undefined ? { policyConfigFile } : {}),
    format: format as Format,
    cwd: path.resolve((values.cwd as string | undefined) ?? "."),
  };
}
