import { readFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";

/** A test the suite may skip, and why (`test/skipped-tests.json`). */
export interface AllowedSkip {
  /** Test file, relative to the repository root. */
  file: string;
  /** The test's full name (its describe blocks and name, joined by " > "). */
  test: string;
  /** Why skipping it is acceptable where it is skipped. */
  reason: string;
}

/** Where the allowed skips are listed. */
export const ALLOWED_SKIPS_FILE = "test/skipped-tests.json";

/** Every skipped test of the run, as `file > full name`. */
export function skippedTests(modules: ReadonlyArray<TestModule>, root: string): string[] {
  return modules.flatMap((module) =>
    [...module.children.allTests()]
      .filter((test) => test.result().state === "skipped")
      .map((test) => `${path.relative(root, module.moduleId)} > ${test.fullName}`),
  );
}

/** The skipped tests that `allowed` does not list. */
export function unlistedSkips(skipped: string[], allowed: AllowedSkip[]): string[] {
  const listed = new Set(allowed.map((entry) => `${entry.file} > ${entry.test}`));
  return skipped.filter((name) => !listed.has(name));
}

/**
 * Fails a CI run (`CI` set, as `.ci/run` does) in which a test was skipped without being listed
 * in `test/skipped-tests.json` with a reason: a test that silently skips in CI (a tool missing
 * from the CI machine, say) proves nothing while the run stays green. Outside CI it only names
 * them.
 */
export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const root = process.cwd();
    const allowed = JSON.parse(
      readFileSync(path.join(root, ALLOWED_SKIPS_FILE), "utf8"),
    ) as AllowedSkip[];
    const unlisted = unlistedSkips(skippedTests(modules, root), allowed);
    if (unlisted.length === 0) return;
    const inCi = Boolean(process.env.CI);
    process.stderr.write(
      `${inCi ? "error" : "note"}: ${unlisted.length} test(s) skipped without a reason in ${ALLOWED_SKIPS_FILE}:\n` +
        unlisted.map((name) => `  ${name}\n`).join(""),
    );
    if (inCi) process.exitCode = 1;
  }
}
