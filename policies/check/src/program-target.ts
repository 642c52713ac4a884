import { existsSync, statSync } from "node:fs";
import path from "node:path";
import {
  findPulumiProject,
  type PulumiProject,
  PulumiProjectError,
  projectConfigDefaults,
  projectStacks,
  type ReadConfig,
  readPulumiProject,
  readStackConfigFile,
  stackConfigFile,
  stackConfigFolder,
} from "../../../components/testing/pulumi-project";
import type { CheckTarget } from "./args";
import { CheckInputError } from "./errors";

/** A program ready to run under the mocks. */
export interface ProgramTarget {
  /** The program path (file or folder) to run. */
  program: string;
  /** The Pulumi project name (`name` in Pulumi.yaml, else `project`). */
  project: string;
  /** The folder of the project's `Pulumi.yaml` (the program's folder when it has none). */
  projectDir: string;
  /** The stack name. */
  stack: string;
  /** Stack config, `namespace:key` → value (objects are structured config). */
  config: Record<string, string | object>;
  /** The stack config file read, when there was one. */
  configFile?: string;
  /** Warnings worth telling the user (secrets that could not be decrypted). */
  warnings: string[];
}

/** Runs a project-file reader, turning its errors into the check's input errors. */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PulumiProjectError) throw new CheckInputError(error.message);
    throw error;
  }
}

function secretWarnings(...reads: ReadConfig[]): string[] {
  return reads.flatMap((read) =>
    read.secrets.map(
      (key) => `${key} is a secret; the check cannot decrypt it and uses "secret-placeholder"`,
    ),
  );
}

function qualifiedConfig(reads: ReadConfig[]): Record<string, string | object> {
  return Object.assign({}, ...reads.map((read) => read.config));
}

/** The stacks of the Pulumi project in `dir`: every `Pulumi.<name>.yaml` in its stack folder. */
export function shippedStacks(dir = process.cwd()): string[] {
  const project = reading(() => readPulumiProject(dir));
  return project ? projectStacks(project) : [];
}

function projectIn(dir: string): PulumiProject {
  const project = reading(() => readPulumiProject(dir));
  if (!project) {
    throw new CheckInputError(
      `no Pulumi.yaml in ${dir}: run hybridai check from your Pulumi project's folder (or give ` +
        "--cwd DIR), or check a program with --program PATH",
    );
  }
  if (!project.settings.name) throw new CheckInputError(`${project.file} has no name`);
  return project;
}

/** `--stack NAME`: the Pulumi project in the working folder, as `pulumi up --stack NAME` runs it. */
function projectStack(stack: string, dir: string): ProgramTarget {
  const project = projectIn(dir);
  const name = project.settings.name as string;
  const configFile = stackConfigFile(project, stack);
  if (!configFile) {
    const stacks = projectStacks(project);
    throw new CheckInputError(
      `no stack "${stack}": ${path.join(stackConfigFolder(project), `Pulumi.${stack}.yaml`)} ` +
        `does not exist; stacks of project ${name}: ${stacks.join(", ") || "none"}`,
    );
  }
  const defaults = reading(() => projectConfigDefaults(project));
  const own = reading(() => readStackConfigFile(name, configFile));
  return {
    program: path.join(project.dir, project.settings.main ?? "."),
    project: name,
    projectDir: project.dir,
    stack,
    config: qualifiedConfig([defaults, own]),
    configFile,
    warnings: secretWarnings(defaults, own),
  };
}

function anyProgram(target: Extract<CheckTarget, { kind: "program" }>, dir: string): ProgramTarget {
  const program = path.resolve(dir, target.program);
  if (!existsSync(program)) throw new CheckInputError(`program ${program} does not exist`);
  const folder = statSync(program).isDirectory() ? program : path.dirname(program);
  const projectFile = reading(() => readPulumiProject(folder));
  const project = projectFile?.settings.name ?? "project";
  const entry =
    statSync(program).isDirectory() && projectFile?.settings.main
      ? path.join(program, projectFile.settings.main)
      : program;
  const configFile = target.configFile ? path.resolve(dir, target.configFile) : undefined;
  const stack =
    target.stackName ??
    (configFile ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(configFile))?.[1] : undefined) ??
    "dev";
  const reads = [
    ...(projectFile ? [reading(() => projectConfigDefaults(projectFile))] : []),
    ...(configFile ? [reading(() => readStackConfigFile(project, configFile))] : []),
  ];
  return {
    program: entry,
    project,
    projectDir: projectFile?.dir ?? findPulumiProject(folder)?.dir ?? folder,
    stack,
    config: qualifiedConfig(reads),
    ...(configFile ? { configFile } : {}),
    warnings: secretWarnings(...reads),
  };
}

/**
 * Resolves the command line's target to a program, its project, stack and config. `--stack`
 * reads the Pulumi project in `dir` (the working folder by default): its `Pulumi.yaml` (`name`,
 * `main`, `stackConfigDir`, `config:` defaults) and `Pulumi.<stack>.yaml`. `--program` paths are
 * relative to `dir`.
 */
export function resolveTarget(target: CheckTarget, dir = process.cwd()): ProgramTarget {
  return target.kind === "stack" ? projectStack(target.stack, dir) : anyProgram(target, dir);
}
