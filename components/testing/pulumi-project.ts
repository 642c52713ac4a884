import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** A `Pulumi.yaml` or stack file that cannot be used: missing, not YAML, or of the wrong shape. */
export class PulumiProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiProjectError";
  }
}

/** The fields of `Pulumi.yaml` a program run needs. */
export interface PulumiProjectFile {
  /** The project name (`pulumi.getProject()`, the namespace of unqualified config keys). */
  name?: string;
  /** The program, relative to the project folder (default: the folder itself). */
  main?: string;
  /** Where the `Pulumi.<stack>.yaml` files live, relative to the project folder (default: it). */
  stackConfigDir?: string;
  /** Project-level config: values, or `{ default | value }` declarations. */
  config?: Record<string, unknown>;
}

/** A Pulumi project found on disk. */
export interface PulumiProject {
  /** The folder holding `Pulumi.yaml`. */
  dir: string;
  /** The `Pulumi.yaml` (or `Pulumi.yml`) file. */
  file: string;
  /** Its content. */
  settings: PulumiProjectFile;
}

/** Config as a program run takes it: `namespace:key` → text, or an object for structured config. */
export type StackConfig = Record<string, string | object>;

/** The value programs see for a secret, which cannot be decrypted without the Pulumi CLI. */
export const SECRET_PLACEHOLDER = "secret-placeholder";

function readYaml(file: string, what: string): unknown {
  if (!existsSync(file)) throw new PulumiProjectError(`${what} ${file} does not exist`);
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PulumiProjectError(`${what} ${file} is not valid YAML: ${(error as Error).message}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads the `Pulumi.yaml` (or `Pulumi.yml`) in `dir`, if there is one. */
export function readPulumiProject(dir: string): PulumiProject | undefined {
  for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const settings = readYaml(file, "project file") ?? {};
    if (!isMapping(settings))
      throw new PulumiProjectError(`project file ${file} must be a mapping`);
    return { dir, file, settings: settings as PulumiProjectFile };
  }
  return undefined;
}

/**
 * The Pulumi project a path belongs to: the nearest `Pulumi.yaml` in its folder (the path itself
 * when it is a folder) or a folder above it, as the Pulumi CLI looks for it.
 */
export function findPulumiProject(from: string): PulumiProject | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const project = readPulumiProject(dir);
    if (project) return project;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** One config value as the Pulumi CLI stores it; a secret becomes {@link SECRET_PLACEHOLDER}. */
function configValue(key: string, value: unknown, secrets: string[]): string | object | undefined {
  if (value === null || value === undefined) return undefined;
  if (isMapping(value) && "secure" in value) {
    secrets.push(key);
    return SECRET_PLACEHOLDER;
  }
  return typeof value === "object" ? (value as object) : String(value);
}

function qualified(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Config read from project and stack files, and the keys whose secret values were replaced. */
export interface ReadConfig {
  /** `namespace:key` → value. */
  config: StackConfig;
  /** Keys whose value is a secret (given {@link SECRET_PLACEHOLDER} instead). */
  secrets: string[];
}

/** The project-level defaults of `Pulumi.yaml`'s `config:` (scalars, or `{ default | value }`). */
export function projectConfigDefaults(project: PulumiProject): ReadConfig {
  const name = project.settings.name ?? "project";
  const config: StackConfig = {};
  const secrets: string[] = [];
  for (const [key, declared] of Object.entries(project.settings.config ?? {})) {
    const value = isMapping(declared) ? (declared.value ?? declared.default) : declared;
    const converted = configValue(key, value, secrets);
    if (converted !== undefined) config[qualified(name, key)] = converted;
  }
  return { config, secrets };
}

/** Reads a `Pulumi.<stack>.yaml`-shaped file; unqualified keys belong to `projectName`. */
export function readStackConfigFile(projectName: string, file: string): ReadConfig {
  const document = readYaml(file, "stack config");
  if (document !== null && !isMapping(document)) {
    throw new PulumiProjectError(`stack config ${file} must be a mapping with a config: section`);
  }
  const config: StackConfig = {};
  const secrets: string[] = [];
  const section = (document as { config?: unknown } | null)?.config ?? {};
  if (!isMapping(section)) {
    throw new PulumiProjectError(`stack config ${file}: config: must be a mapping`);
  }
  for (const [key, value] of Object.entries(section)) {
    const converted = configValue(key, value, secrets);
    if (converted !== undefined) config[qualified(projectName, key)] = converted;
  }
  return { config, secrets };
}

/** The folder holding the project's stack files (`stackConfigDir`, else the project folder). */
export function stackConfigFolder(project: PulumiProject): string {
  return path.join(project.dir, project.settings.stackConfigDir ?? ".");
}

/** The `Pulumi.<stack>.yaml` (or `.yml`) of a stack, when it exists. */
export function stackConfigFile(project: PulumiProject, stack: string): string | undefined {
  const folder = stackConfigFolder(project);
  return [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`]
    .map((name) => path.join(folder, name))
    .find((file) => existsSync(file));
}

/** Every stack with a `Pulumi.<stack>.yaml` in the project's stack folder, sorted. */
export function projectStacks(project: PulumiProject): string[] {
  const folder = stackConfigFolder(project);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/**
 * The config `pulumi up --stack <stack>` would give the program: `Pulumi.yaml`'s defaults, then
 * the stack file's values (when the stack has a file).
 */
export function stackConfig(project: PulumiProject, stack: string): ReadConfig {
  const defaults = projectConfigDefaults(project);
  const file = stackConfigFile(project, stack);
  const own = file
    ? readStackConfigFile(project.settings.name ?? "project", file)
    : { config: {}, secrets: [] };
  return {
    config: { ...defaults.config, ...own.config },
    secrets: [...defaults.secrets, ...own.secrets],
  };
}
