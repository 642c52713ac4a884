import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";

// A vitest setup file for `npm run test:profile`: when a test file's worker is done, appends one
// JSON line with the CPU seconds its process used (user + system, the import of the file's
// modules included) and those of the child processes it waited for (servers, CLIs, npm, tsc),
// read from /proc/self/stat, and the most threads and child processes it had at once, and the
// most of the threads it started (worker threads, onnxruntime's pools) that used CPU within one
// 50 ms sample. Each test file runs in a fresh fork, so the figures are per file.
const out = process.env.HYBRIDAI_TEST_PROFILE_FILE;
const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 50;

/** Threads of this process now (`Threads:` of /proc/self/status). */
function threads(): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
}

/** CPU ticks each thread of this process has used so far, by thread id. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks;
}

/** Live processes whose parent is this one, and the threads they run. */
function children(): { processes: number; threads: number } {
  let processes = 0;
  let childThreads = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1]) !== process.pid) continue;
      processes++;
      childThreads += Number(/^Threads:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return { processes, threads: childThreads };
}

let baselineThreads = 0;
let peakThreads = 0;
let peakBusyThreads = 0;
let lastTicks = new Map<string, number>();
/** Threads the process had before the file's tests ran (Node's own: main, V8 and libuv helpers). */
let ownThreads = new Set<string>();
let peakChildren = 0;
let peakChildThreads = 0;
let sampler: NodeJS.Timeout | undefined;

beforeAll(() => {
  if (!out) return;
  baselineThreads = threads();
  ownThreads = new Set(threadTicks().keys());
  sampler = setInterval(() => {
    peakThreads = Math.max(peakThreads, threads());
    const ticks = threadTicks();
    let busy = 0;
    for (const [tid, used] of ticks) {
      if (!ownThreads.has(tid) && used > (lastTicks.get(tid) ?? 0)) busy++;
    }
    lastTicks = ticks;
    peakBusyThreads = Math.max(peakBusyThreads, busy);
    const now = children();
    peakChildren = Math.max(peakChildren, now.processes);
    peakChildThreads = Math.max(peakChildThreads, now.threads);
  }, SAMPLE_MS);
  sampler.unref();
});

afterAll(() => {
  if (!out) return;
  clearInterval(sampler);
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
      baselineThreads,
      extraThreads: Math.max(0, peakThreads - baselineThreads),
      peakBusyThreads,
      peakChildren,
      peakChildThreads,
    })}\n`,
  );
});
