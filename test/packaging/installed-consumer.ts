import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import {
  TEMPLATE_PACKAGE_JSON,
  TEMPLATE_PULUMI_YAML,
  TEMPLATE_TSCONFIG,
} from "../fixtures/consumer/pulumi-typescript-template";
import { consumerLockfile, fileSpec, type LockEntry, type Lockfile } from "./consumer-lockfile";

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, "../..");
const PROJECT = "myinfra";

/** What a command printed and how it exited. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, resolving (never rejecting) with its exit code and output. */
export async function runCommand(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  return run(command, args, {
    cwd,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : -1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

/**
 * The devDependencies docs/testing-kit.md tells a `pulumi new typescript` project to install:
 * the packages of its `npm install --save-dev …` line, with their version ranges.
 */
export async function documentedDevDependencies(): Promise<Record<string, string>> {
  const page = await readFile(path.join(REPO_ROOT, "docs/testing-kit.md"), "utf8");
  const line = /^npm install --save-dev (.+)$/m.exec(page)?.[1];
  if (!line) throw new Error("docs/testing-kit.md has no `npm install --save-dev …` line");
  return Object.fromEntries(
    line.split(/\s+/).map((spec) => {
      const at = spec.lastIndexOf("@");
      return [spec.slice(0, at), spec.slice(at + 1)];
    }),
  );
}

/** The `allowScripts` docs/install.md tells a consumer project to set (its first ```json block). */
export async function documentedAllowScripts(): Promise<Record<string, boolean>> {
  const page = await readFile(path.join(REPO_ROOT, "docs/install.md"), "utf8");
  const block = /```json\n([\s\S]*?)\n```/.exec(page)?.[1];
  if (!block) throw new Error("docs/install.md has no ```json block with allowScripts");
  return (JSON.parse(`{${block}}`) as { allowScripts: Record<string, boolean> }).allowScripts;
}

/** The `hybridai check` step of the GitHub Actions job docs/policies-and-check.md gives. */
export interface DocumentedCheckStep {
  /** The job's `working-directory`, relative to the repository root. */
  workingDirectory: string;
  /** The step's command, without its output redirection. */
  command: string;
  /** Its arguments. */
  args: string[];
}

/**
 * The consumer repository's `hybridai-check` job in docs/policies-and-check.md (the first
 * ```yaml block of "In CI"): its working directory and the command of its `hybridai check` step.
 */
export async function documentedCheckStep(): Promise<DocumentedCheckStep> {
  const page = await readFile(path.join(REPO_ROOT, "docs/policies-and-check.md"), "utf8");
  const block = /## In CI[\s\S]*?```yaml\n([\s\S]*?)\n```/.exec(page)?.[1];
  if (!block) throw new Error("docs/policies-and-check.md has no ```yaml block under In CI");
  const job = (
    parse(block) as {
      jobs: Record<
        string,
        { defaults: { run: { "working-directory": string } }; steps: { run?: string }[] }
      >;
    }
  ).jobs["hybridai-check"];
  const step = job?.steps.find((s) => s.run?.includes("hybridai check"));
  if (!step?.run) throw new Error("docs/policies-and-check.md: no hybridai-check job step");
  const [command, ...args] = step.run
    .replace(/\s*>.*$/, "")
    .trim()
    .split(/\s+/);
  return { workingDirectory: job.defaults.run["working-directory"], command, args };
}

/** A consumer repository laid out and installed. */
export interface InstalledConsumer {
  /** The repository root (a git repository). */
  repository: string;
  /** The Pulumi project folder inside it, `infra/`. */
  project: string;
  /** What `npm ci` printed. */
  install: CommandResult;
}

/**
 * Lays out a consumer repository the way a user starts one, and installs it: `git init`, then in
 * `infra/` the files `pulumi new typescript` writes (package.json, tsconfig.json, Pulumi.yaml),
 * the library from the tarball, the devDependencies and `allowScripts` the docs give, and the
 * program, stack files and tests of test/fixtures/consumer/infra. `npm ci` installs from a
 * lockfile taken from this repository's (see {@link consumerLockfile}): no registry needed when
 * npm's cache holds this repository's packages, as it does after `npm ci` here.
 *
 * @param root an empty folder
 * @param tarball the packed library
 */
export async function installConsumer(root: string, tarball: string): Promise<InstalledConsumer> {
  const repository = path.join(root, "repository");
  const project = path.join(repository, "infra");
  await mkdir(project, { recursive: true });
  await runCommand("git", ["init", "-q"], repository);
  await cp(path.join(REPO_ROOT, "test/fixtures/consumer/infra"), project, { recursive: true });
  const library = JSON.parse(
    (await runCommand("tar", ["-xzOf", tarball, "package/package.json"], root)).stdout,
  ) as LockEntry & { name: string; version: string };
  const spec = fileSpec(project, tarball);
  const manifest = {
    ...TEMPLATE_PACKAGE_JSON,
    name: PROJECT,
    version: "1.0.0",
    dependencies: { ...TEMPLATE_PACKAGE_JSON.dependencies, [library.name]: spec },
    devDependencies: {
      ...TEMPLATE_PACKAGE_JSON.devDependencies,
      ...(await documentedDevDependencies()),
    },
    allowScripts: await documentedAllowScripts(),
  };
  const integrity = `sha512-${createHash("sha512")
    .update(await readFile(tarball))
    .digest("base64")}`;
  const repositoryLock = JSON.parse(
    await readFile(path.join(REPO_ROOT, "package-lock.json"), "utf8"),
  ) as Lockfile;
  const files: Record<string, string> = {
    "package.json": JSON.stringify(manifest, null, 2),
    "package-lock.json": JSON.stringify(
      consumerLockfile(repositoryLock, manifest, { spec, integrity, manifest: library }),
      null,
      2,
    ),
    "tsconfig.json": JSON.stringify(TEMPLATE_TSCONFIG, null, 2),
    "Pulumi.yaml": TEMPLATE_PULUMI_YAML.replace(/\$\{PROJECT\}/, PROJECT).replace(
      /\$\{DESCRIPTION\}/,
      "Inference infrastructure",
    ),
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(project, name), `${text}\n`);
  }
  const install = await runCommand(
    "npm",
    ["ci", "--prefer-offline", "--no-audit", "--no-fund"],
    project,
  );
  return { repository, project, install };
}
