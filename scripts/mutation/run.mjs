// `npm run test:mutation [-- <folder>...]`: runs Stryker over each folder of
// scripts/mutation/folders.mjs in turn (all of them unless some are named) and prints one table
// of the figures the README quotes. Incremental: a rerun only tests what changed; pass --force
// after `--` to test every mutant again.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { MUTATION_FOLDERS } from "./folders.mjs";

const args = process.argv.slice(2);
const force = args.includes("--force");
const named = args.filter((arg) => arg !== "--force");
for (const name of named) {
  if (!(name in MUTATION_FOLDERS)) {
    console.error(`unknown folder "${name}"; allowed: ${Object.keys(MUTATION_FOLDERS).join(", ")}`);
    process.exit(2);
  }
}
const folders = named.length > 0 ? named : Object.keys(MUTATION_FOLDERS);

/**
 * Counts the mutants of a Stryker JSON report by status.
 *
 * @param {string} file the report
 */
function countStatuses(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  /** @type {Record<string, number>} */
  const counts = {};
  for (const source of Object.values(report.files)) {
    for (const mutant of source.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  return counts;
}

const rows = [];
let failed = false;
for (const name of folders) {
  const started = performance.now();
  const run = spawnSync(
    "npx",
    ["stryker", "run", "stryker.config.mjs", ...(force ? ["--force"] : [])],
    {
      stdio: "inherit",
      env: { ...process.env, HYBRIDAI_MUTATION_FOLDER: name },
    },
  );
  const minutes = (performance.now() - started) / 60_000;
  if (run.status !== 0) {
    failed = true;
    rows.push(`| ${name} | Stryker exited ${run.status ?? run.signal} |`);
    continue;
  }
  const c = countStatuses(`reports/mutation/${name}.json`);
  const n = (status) => c[status] ?? 0;
  const total = Object.values(c).reduce((sum, count) => sum + count, 0);
  // Stryker's mutation score: detected (killed, timeout) over valid mutants (not compile or
  // runtime errors, not ignored); "killed" is the share the README's target is set on.
  const valid = n("Killed") + n("Timeout") + n("Survived") + n("NoCoverage");
  const percent = (count) => (valid === 0 ? "–" : `${((100 * count) / valid).toFixed(1)} %`);
  rows.push(
    `| ${name} | ${total} | ${n("Killed")} | ${n("Survived")} | ${n("Timeout")} | ${n("NoCoverage")} | ${n("CompileError") + n("RuntimeError")} | ${n("Ignored")} | ${percent(n("Killed"))} | ${percent(n("Killed") + n("Timeout"))} | ${minutes.toFixed(1)} min |`,
  );
}
console.log(
  "\n| folder | mutants | killed | survived | timeout | no coverage | errors | ignored | killed % | score | run time |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
process.exit(failed ? 1 : 0);
