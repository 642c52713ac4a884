import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { CheckTarget } from "./args";
import { CheckInputError } from "./errors";

/** The repository root: the stacks' Pulumi project. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "../../..");

/** A program ready to run under the mocks. */
export interface ProgramTarget {
  /** The program path (file or folder) to run. */
  program: string;
  /** The Pulumi project name (`name` in Pulumi.yaml, else `project`). */
  project: string;
  /** The stack name. */
  stack: string;
  /** Stack config, `namespace:key` → value (objects are structured config). */
  config: Record<string, string | object>;
  /** The stack config file read, when there was one. */
  configFile?: string;
  /** Warnings worth telling the user (secrets that could not be decrypted). */
  warnings: string[];
}

interface ProjectFile {
  name?: string;
  main?: string;
  stackConfigDir?: string;
  config?: Record<string, unknown>;
}

function readYaml(file: string, what: string): unknown {
  if (!existsSync(file)) throw new CheckInputError(`${what} ${file} does not exist`);
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckInputError(`${what} ${file} is not valid YAML: ${(error as Error).message}`);
  }
}

function readProject(folder: string): ProjectFile | undefined {
  for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
    const file = path.join(folder, name);
    if (existsSync(file)) return (readYaml(file, "project file") ?? {}) as ProjectFile;
  }
  return undefined;
}

/** One config value as the Pulumi CLI stores it: text, or an object for structured config. */
function configValue(key: string, value: unknown, warnings: string[]): string | object | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "object" && !Array.isArray(value) && "secure" in value) {
    warnings.push(`${key} is a secret; the check cannot decrypt it and uses "secret-placeholder"`);
    return "secret-placeholder";
  }
  return typeof value === "object" ? (value as object) : String(value);
}

function qualified(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Project-level config defaults (`config:` in Pulumi.yaml: scalars, or objects with default/value). */
function projectDefaults(project: string, file: ProjectFile | undefined, warnings: string[]) {
  const config: Record<string, string | object> = {};
  for (const [key, declared] of Object.entries(file?.config ?? {})) {
    const value =
      declared !== null && typeof declared === "object" && !Array.isArray(declared)
        ? ((declared as Record<string, unknown>).value ??
          (declared as Record<string, unknown>).default)
        : declared;
    const converted = configValue(key, value, warnings);
    if (converted !== undefined) config[qualified(project, key)] = converted;
  }
  return config;
}

function stackConfig(project: string, file: string, warnings: string[]) {
  const document = readYaml(file, "stack config") as { config?: Record<string, unknown> } | null;
  if (document !== null && (typeof document !== "object" || Array.isArray(document))) {
    throw new CheckInputError(`stack config ${file} must be a mapping with a config: section`);
  }
  const config: Record<string, string | object> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    const converted = configValue(key, value, warnings);
    if (converted !== undefined) config[qualified(project, key)] = converted;
  }
  return config;
}

/** The shipped stacks: every `Pulumi.<name>.yaml` in the stack config folder. */
export function shippedStacks(root = REPOSITORY_ROOT): string[] {
  const project = readProject(root);
  const folder = path.join(root, project?.stackConfigDir ?? ".");
  return readdirSync(folder)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function shippedStack(stack: string): ProgramTarget {
  const project = readProject(REPOSITORY_ROOT);
  if (!project?.name) throw new CheckInputError(`${REPOSITORY_ROOT}/Pulumi.yaml has no name`);
  const configFile = path.join(
    REPOSITORY_ROOT,
    project.stackConfigDir ?? ".",
    `Pulumi.${stack}.yaml`,
  );
  if (!existsSync(configFile)) {
    throw new CheckInputError(
      `no stack "${stack}": ${configFile} does not exist; shipped stacks: ${shippedStacks().join(", ")}`,
    );
  }
  const warnings: string[] = [];
  return {
    program: path.join(REPOSITORY_ROOT, project.main ?? "."),
    project: project.name,
    stack,
    config: {
      ...projectDefaults(project.name, project, warnings),
      ...stackConfig(project.name, configFile, warnings),
    },
    configFile,
    warnings,
  };
}

function anyProgram(target: Extract<CheckTarget, { kind: "program" }>): ProgramTarget {
  const program = path.resolve(target.program);
  if (!existsSync(program)) throw new CheckInputError(`program ${program} does not exist`);
  const folder = statSync(program).isDirectory() ? program : path.dirname(program);
  const projectFile = readProject(folder);
  const project = projectFile?.name ?? "project";
  const entry =
    statSync(program).isDirectory() && projectFile?.main
      ? path.join(program, projectFile.main)
      : program;
  const configFile = target.configFile ? path.resolve(target.configFile) : undefined;
  const stack =
    target.stackName ??
    (configFile ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(configFile))?.[1] : undefined) ??
    "dev";
  const warnings: string[] = [];
  return {
    program: entry,
    project,
    stack,
    config: {
      ...projectDefaults(project, projectFile, warnings),
      ...(configFile ? stackConfig(project, configFile, warnings) : {}),
    },
    ...(configFile ? { configFile } : {}),
    warnings,
  };
}

/** Resolves the command line's target to a program, its project, stack and config. */
export function resolveTarget(target: CheckTarget): ProgramTarget {
  return target.kind === "stack" ? shippedStack(target.stack) : anyProgram(target);
}
