import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ChildServer } from "./child-server";
import { type HeadToHead, measureHeadToHead } from "./head-to-head";
import { type BenchModel, writeRepository } from "./models";
import { type InferPayload, inferPayload, itemValues } from "./payloads";
import { median } from "./stats";

/** The bearer token of the benchmark's one named client (only its SHA-256 is in the tokens file). */
const CLIENT_TOKEN = "bench-observability-client-token";

/** Requests per model the baseline is profiled from. */
const PROFILE_REQUESTS = 200;

/**
 * One model measured in alternating rounds with every issue-18 feature off (`off`) and all on
 * (`on`), and, when a breakdown is asked for, each feature alone: `profile` (drift baseline and
 * output distributions), `audit` (audit log to a file), `tokens` (tokens file).
 */
export interface ObservabilityOverheadModel {
  /** Model name. */
  model: string;
  /** The rounds and each contender's median items/s. */
  headToHead: HeadToHead;
  /** Each contender's median items/s over the median of `off`. */
  ratios: Record<string, number>;
  /** Each contender's median p50 latency in ms (autocannon's whole milliseconds). */
  p50Ms: Record<string, number>;
}

/** One server of the phase: its repository, its flags, and whether its requests carry the token. */
interface Variant {
  name: string;
  repository: string;
  flags: string[];
  token: boolean;
  /** Measured for every model (`off`, `on`), or only for models with a breakdown. */
  all: boolean;
}

/** The observability overhead phase: each model, and evidence that the features were on. */
export interface ObservabilityOverhead {
  /** Each model measured. */
  models: ObservabilityOverheadModel[];
  /** Flags of the `on` server beyond the repository and port (files in the run's scratch directory). */
  onFlags: string[];
  /** Size of the audit log the `on` server wrote, in bytes. */
  auditLogBytes: number;
  /** Series of the `on` server's `/metrics` that prove each feature ran, with their values. */
  evidence: Record<string, number>;
}

/** What the phase needs: the runtime's CLI, a scratch directory and a way to start our server. */
export interface ObservabilitySetup {
  /** Compiled `hybridai-serve` CLI. */
  cli: string;
  /** Scratch directory (created). */
  dir: string;
  /** The models, each with the concurrency it is measured at and whether to measure each feature alone. */
  models: { model: BenchModel; connections: number; breakdown?: boolean }[];
  /** Starts our server on a repository with extra flags. */
  start: (repository: string, extra: string[]) => Promise<ChildServer>;
  /** Seconds of each measured point, and of warmup before it. */
  seconds: number;
  warmupSeconds: number;
  /** Alternating rounds per model. */
  rounds: number;
}

/** Writes sample requests (one item each, varied values) and profiles the model's baseline. */
function profileBaseline(cli: string, repository: string, model: BenchModel, dir: string): void {
  const lines = Array.from({ length: PROFILE_REQUESTS }, (_, i) =>
    JSON.stringify({
      inputs: [
        {
          name: model.input,
          shape: [1, ...model.itemShape],
          datatype: "FP32",
          data: Array.from(itemValues(model, 100 + i)),
        },
      ],
    }),
  );
  const data = path.join(dir, `${model.name}-sample.jsonl`);
  writeFileSync(data, `${lines.join("\n")}\n`);
  const run = spawnSync(
    process.execPath,
    [cli, "profile", "--model-repository", repository, "--model", model.name, "--data", data],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (run.status !== 0) {
    throw new Error(`hybridai-serve profile ${model.name} failed: ${run.stdout}${run.stderr}`);
  }
}

/** Sums the samples of each metric the `on` server must have produced. */
async function scrapeEvidence(server: ChildServer): Promise<Record<string, number>> {
  const page = await (await fetch(`${server.url}/metrics`)).text();
  const wanted = [
    "hybridai_input_drift_psi",
    "hybridai_output_top1_score_count",
    "hybridai_audit_records_total",
    "hybridai_audit_dropped_total",
    "hybridai_client_requests_total",
  ];
  const evidence: Record<string, number> = {};
  for (const line of page.split("\n")) {
    const name = line.split(/[{ ]/)[0];
    if (!wanted.includes(name)) continue;
    evidence[name] = (evidence[name] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  const missing = wanted.filter((name) => evidence[name] === undefined);
  if (missing.length > 0 || !(evidence.hybridai_audit_records_total > 0)) {
    throw new Error(
      `the "on" server did not export ${missing.join(", ") || "any audit records"}: a feature was not on`,
    );
  }
  return evidence;
}

/**
 * The overhead of issue 18's features: the same models served by two servers, one with none of
 * them (no baseline, no output distributions, no audit log, no tokens file) and one with all of
 * them (a profiled `baseline.json` so every input's drift window is filled, a `top1_score`
 * histogram of every output, `--audit-log` to a file with every request audited, and
 * `--tokens-file` with a named client whose token bucket and daily quota are checked each
 * request), measured in alternating rounds at the same concurrency; for models with `breakdown`,
 * also a server per feature alone.
 * @throws Error when profiling fails, a server does not start, or a feature shows no sign of running.
 */
export async function measureObservabilityOverhead(
  setup: ObservabilitySetup,
): Promise<ObservabilityOverhead> {
  const offRepo = path.join(setup.dir, "off");
  const onRepo = path.join(setup.dir, "on");
  mkdirSync(setup.dir, { recursive: true });
  writeRepository(
    offRepo,
    setup.models.map(({ model }) => ({ model })),
  );
  writeRepository(
    onRepo,
    setup.models.map(({ model }) => ({
      model,
      config: { output_distribution: [{ name: model.output, kind: "top1_score" }] },
    })),
  );
  for (const { model } of setup.models) profileBaseline(setup.cli, onRepo, model, setup.dir);
  const tokens = path.join(setup.dir, "tokens.json");
  writeFileSync(
    tokens,
    JSON.stringify({
      clients: [
        {
          name: "bench",
          token_sha256: createHash("sha256").update(CLIENT_TOKEN).digest("hex"),
          rate_per_second: 1_000_000,
          daily_quota: 1_000_000_000,
        },
      ],
    }),
  );
  const auditLog = path.join(setup.dir, "audit.jsonl");
  const onFlags = ["--tokens-file", tokens, "--audit-log", auditLog];
  const variants: Variant[] = [
    { name: "off", repository: offRepo, flags: [], token: false, all: true },
    { name: "on", repository: onRepo, flags: onFlags, token: true, all: true },
    { name: "profile", repository: onRepo, flags: [], token: false, all: false },
    {
      name: "audit",
      repository: offRepo,
      flags: ["--audit-log", path.join(setup.dir, "audit-only.jsonl")],
      token: false,
      all: false,
    },
    {
      name: "tokens",
      repository: offRepo,
      flags: ["--tokens-file", tokens],
      token: true,
      all: false,
    },
  ];
  const wanted = setup.models.some((m) => m.breakdown) ? variants : variants.filter((v) => v.all);
  const servers = new Map<string, ChildServer>();
  try {
    for (const variant of wanted) {
      servers.set(variant.name, await setup.start(variant.repository, variant.flags));
    }
    const models: ObservabilityOverheadModel[] = [];
    for (const { model, connections, breakdown } of setup.models) {
      const plain = inferPayload(model, "json");
      const authorized: InferPayload = {
        ...plain,
        headers: { ...plain.headers, authorization: `Bearer ${CLIENT_TOKEN}` },
      };
      const contenders = wanted
        .filter((variant) => variant.all || breakdown)
        .map((variant) => ({
          name: variant.name,
          server: servers.get(variant.name) as ChildServer,
          payload: variant.token ? authorized : plain,
        }));
      console.log(
        `  ${model.name} json c=${connections}: ${contenders.map((c) => c.name).join(" vs ")}`,
      );
      const headToHead = await measureHeadToHead(
        contenders,
        connections,
        setup.rounds,
        setup.seconds,
        setup.warmupSeconds,
      );
      for (const round of headToHead.rounds) {
        for (const [name, point] of Object.entries(round)) {
          if (point.non2xx > 0 || point.errors > 0) {
            throw new Error(
              `${name} ${model.name}: ${point.non2xx} non-2xx responses, ${point.errors} errors`,
            );
          }
        }
      }
      const medians = headToHead.medianItemsPerSecond;
      models.push({
        model: model.name,
        headToHead,
        ratios: Object.fromEntries(
          contenders
            .filter((c) => c.name !== "off")
            .map((c) => [c.name, medians[c.name] / medians.off]),
        ),
        p50Ms: Object.fromEntries(
          contenders.map((c) => [
            c.name,
            median(headToHead.rounds.map((r) => r[c.name].latency.p50)),
          ]),
        ),
      });
    }
    const on = servers.get("on") as ChildServer;
    const evidence = await scrapeEvidence(on);
    await on.stop();
    return {
      models,
      onFlags: ["--tokens-file", "tokens.json", "--audit-log", "audit.jsonl"],
      auditLogBytes: statSync(auditLog).size,
      evidence,
    };
  } finally {
    for (const server of servers.values()) await server.stop();
  }
}
