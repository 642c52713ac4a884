// `npm run test:profile [-- vitest args]`: runs the suite with vitest.profile.config.mts and
// prints its wall time, the CPU time of every test file (its fork, and the child processes it
// started), the totals, the slowest files, and the files that ran more threads or processes at
// once than the machine has cores × 2. CPU time is what a busy machine cannot inflate much; on a
// quiet machine the wall time of a CPU-bound suite is about its CPU time / workers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";

const folder = mkdtempSync(path.join(tmpdir(), "hybridai-test-profile-"));
const file = path.join(folder, "usage.jsonl");
const started = process.hrtime.bigint();
const vitest = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "-c",
    "vitest.profile.config.mts",
    ...process.argv.slice(2),
  ],
  {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, HYBRIDAI_TEST_PROFILE_FILE: file },
  },
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
const limit = availableParallelism() * 2;
console.log(
  `vitest exit code ${vitest.status}; ${rows.length} files; wall ${wallSeconds.toFixed(0)} s`,
);
console.log(
  `CPU: ${sum("selfSeconds").toFixed(0)} s in test files' forks + ${sum("childSeconds").toFixed(0)} s in their child processes = ${(sum("selfSeconds") + sum("childSeconds")).toFixed(0)} s`,
);
console.log("   self  children  fork wall  +threads  busy  children  file");
for (const row of rows.slice(0, Number(process.env.HYBRIDAI_TEST_PROFILE_TOP ?? 30))) {
  console.log(
    `${fixed(row.selfSeconds)}  ${fixed(row.childSeconds)}  ${fixed(row.wallSeconds)}  ${String(row.extraThreads).padStart(8)}  ${String(row.peakBusyThreads).padStart(4)}  ${String(row.peakChildren).padStart(8)}  ${row.file}`,
  );
}
for (const [what, over] of [
  ["started", (row) => row.extraThreads + row.peakChildren > limit],
  ["kept busy", (row) => row.peakBusyThreads + row.peakChildren > limit],
]) {
  const found = rows.filter(over);
  console.log(
    `Files that ${what} more than cores × 2 = ${limit} threads and child processes at once: ${found.length}`,
  );
  for (const row of found) {
    console.log(
      `  ${row.file}: +${row.extraThreads} threads (${row.peakBusyThreads} busy at once), ${row.peakChildren} child processes`,
    );
  }
}
