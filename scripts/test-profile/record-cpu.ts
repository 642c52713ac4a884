import { appendFileSync, readFileSync } from "node:fs";
import { afterAll, expect } from "vitest";

// A vitest setup file for `npm run test:profile`: when a test file's worker is done, appends one
// JSON line with the CPU seconds its process used (user + system, the import of the file's
// modules included) and those of the child processes it waited for (servers, CLIs, npm, tsc),
// read from /proc/self/stat. Each test file runs in a fresh fork, so the figures are per file.
const out = process.env.HYBRIDAI_TEST_PROFILE_FILE;
const TICKS_PER_SECOND = 100;

afterAll(() => {
  if (!out) return;
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  // Fields 14–17 of proc(5) (utime, stime, cutime, cstime), counted after "pid (comm) ".
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  appendFileSync(
    out,
    `${JSON.stringify({
      file: expect.getState().testPath,
      selfSeconds: (utime + stime) / TICKS_PER_SECOND,
      childSeconds: (cutime + cstime) / TICKS_PER_SECOND,
      wallSeconds: process.uptime(),
    })}\n`,
  );
});
