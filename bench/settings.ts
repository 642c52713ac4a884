/** The phases of a benchmark run, in order. */
export const ALL_PHASES = [
  "cpu",
  "raw",
  "naive",
  "server",
  "ready",
  "overload",
  "observability",
  "tracing",
  "pipeline",
  "hostile",
] as const;

/** One phase of a benchmark run. */
export type Phase = (typeof ALL_PHASES)[number];

/** A run's settings, read from the environment. */
export interface BenchSettings {
  /** Seconds of each measured load point (`BENCH_SECONDS`, default 3). */
  seconds: number;
  /** Seconds of unmeasured load before each point (`BENCH_WARMUP_SECONDS`, default 0.5). */
  warmupSeconds: number;
  /** Phases to run (`BENCH_PHASES`, comma-separated; default all). */
  phases: ReadonlySet<Phase>;
  /** Extra CLI flags for our server (`BENCH_SERVER_ARGS`, space-separated; default none). */
  serverArgs: string[];
}

function seconds(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 60) {
    throw new Error(`${name}=${raw} is invalid: give a number of seconds from 0 to 60`);
  }
  return value;
}

/**
 * Reads and validates the settings.
 * @throws Error naming the variable, its value and what is allowed.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const names = (env.BENCH_PHASES ?? ALL_PHASES.join(","))
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(ALL_PHASES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `BENCH_PHASES=${env.BENCH_PHASES} is invalid: list some of ${ALL_PHASES.join(",")}`,
    );
  }
  const measured = seconds("BENCH_SECONDS", 3, env);
  if (measured === 0)
    throw new Error("BENCH_SECONDS=0 is invalid: give at least a fraction of a second");
  return {
    seconds: measured,
    warmupSeconds: seconds("BENCH_WARMUP_SECONDS", 0.5, env),
    phases: new Set(names as Phase[]),
    serverArgs: (env.BENCH_SERVER_ARGS ?? "").split(/\s+/).filter((arg) => arg !== ""),
  };
}
