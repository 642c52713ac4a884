// `npm run test:profile [-- vitest args]`: runs the suite with vitest.profile.config.mts and
// prints its wall time, the CPU time of every test file (its fork, and the child processes it
// started), the totals and the slowest files. CPU time is what a busy machine cannot inflate
// much; the wall time on a quiet machine is about total CPU / workers for a CPU-bound suite.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const folder = mkdtempSync(path.join(tmpdir(), "hybridai-test-profile-"));
const file = path.join(folder, "cpu.jsonl");
const started = process.hrtime.bigint();
const vitest = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "-c", "vitest.profile.config.mts", ...process.argv.slice(2)],
  { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, HYBRIDAI_TEST_PROFILE_FILE: file } },
);
const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const rows = readFileSync(file, "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line))
  .map((row) => ({ ...row, file: path.relative(process.cwd(), row.file) }))
  .sort((a, b) => b.selfSeconds + b.childSeconds - (a.selfSeconds + a.childSeconds));
rmSync(folder, { recursive: true, force: true });
const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
const fixed = (n) => n.toFixed(1).padStart(7);
console.log(`vitest exit code ${vitest.status}; ${rows.length} files; wall ${wallSeconds.toFixed(0)} s`);
console.log(
  `CPU: ${sum("selfSeconds").toFixed(0)} s in test files' forks + ${sum("childSeconds").toFixed(0)} s in their child processes = ${(sum("selfSeconds") + sum("childSeconds")).toFixed(0)} s`,
);
console.log("   self  children  fork wall  file");
for (const row of rows.slice(0, Number(process.env.HYBRIDAI_TEST_PROFILE_TOP ?? 30))) {
  console.log(`${fixed(row.selfSeconds)}  ${fixed(row.childSeconds)}  ${fixed(row.wallSeconds)}  ${row.file}`);
}
