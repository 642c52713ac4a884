import type { LoadPoint } from "./load";
import type { OverloadResult } from "./overload";
import type { WireForm } from "./payloads";
import type { RawResult } from "./raw";
import {
  type BenchResults,
  isPhaseError,
  type PhaseError,
  type ServedForm,
  type TargetCheck,
} from "./results";

function form(
  served: ServedForm[] | PhaseError | undefined,
  wire: WireForm,
): ServedForm | undefined {
  return served && !isPhaseError(served) ? served.find((f) => f.form === wire) : undefined;
}

function raw(result: RawResult | PhaseError | undefined): RawResult | undefined {
  return result && !isPhaseError(result) ? result : undefined;
}

function best(points: LoadPoint[]): LoadPoint {
  return points.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a));
}

function at(points: LoadPoint[], connections: number): LoadPoint | undefined {
  return points.find((p) => p.connections === connections);
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);

function cnnVersusRaw(results: BenchResults): TargetCheck {
  const target = "CNN, binary, best concurrency: server ≥ 0.8 × raw in-process items/s";
  const served = form(results.server.cnn, "binary");
  const rawCnn = raw(results.raw.cnn);
  if (!served || !rawCnn) return { target, measured: "phase failed", met: null };
  const top = best(served.load);
  const ratio = top.itemsPerSecond / rawCnn.best.itemsPerSecond;
  const cores = top.serverCpuSeconds / top.seconds;
  const generator = top.loadGeneratorCpuSeconds / top.seconds;
  return {
    target,
    measured:
      `${fixed(top.itemsPerSecond)} items/s at c=${top.connections} vs raw ${fixed(rawCnn.best.itemsPerSecond)} ` +
      `(batch ${rawCnn.best.batch}) = ${fixed(ratio, 2)}×; server used ${fixed(cores, 2)} cores, ` +
      `load generator ${fixed(generator, 2)} cores`,
    met: ratio >= 0.8,
  };
}

function mlpVersusNaive(results: BenchResults): TargetCheck {
  const target = "MLP, c=64: server ≥ 2.5 × naive server items/s (both JSON)";
  const served = form(results.server.mlp, "json");
  const naive = form(results.naive.mlp, "json");
  const ours = served && at(served.load, 64);
  const theirs = naive && at(naive.load, 64);
  if (!ours || !theirs) return { target, measured: "phase failed", met: null };
  const ratio = ours.itemsPerSecond / theirs.itemsPerSecond;
  const empty = isPhaseError(results.empty) ? undefined : at(results.empty, 64);
  return {
    target,
    measured:
      `${fixed(ours.itemsPerSecond)} vs ${fixed(theirs.itemsPerSecond)} items/s = ${fixed(ratio, 2)}×` +
      (empty
        ? `; empty handler ceiling ${fixed(empty.itemsPerSecond)} req/s = ` +
          `${fixed(empty.itemsPerSecond / theirs.itemsPerSecond, 2)}× naive`
        : ""),
    met: ratio >= 2.5,
  };
}

function latencyAtOne(results: BenchResults, model: string, wire: WireForm): TargetCheck {
  const target = `${model.toUpperCase()}, ${wire}, c=1: server p50 ≤ raw session.run p50 + 1 ms`;
  const served = form(results.server[model], wire);
  const rawModel = raw(results.raw[model]);
  if (!served || !rawModel) return { target, measured: "phase failed", met: null };
  const limit = rawModel.singleRun.p50 + 1;
  return {
    target,
    measured: `${fixed(served.sequential.p50, 3)} ms vs raw ${fixed(rawModel.singleRun.p50, 3)} ms + 1`,
    met: served.sequential.p50 <= limit,
  };
}

function overload(result: OverloadResult | PhaseError): TargetCheck {
  const target =
    "Overload (2,000 requests, c=200, small queue): only 2xx or 503+JSON error, no crash, no hang, RSS bounded";
  if (isPhaseError(result)) return { target, measured: "phase failed", met: null };
  const answered = Object.values(result.statusCounts).reduce((a, b) => a + b, 0);
  const met =
    result.finished &&
    result.aliveAfter &&
    result.badResponses === 0 &&
    result.errors === 0 &&
    answered === result.requests &&
    result.rssPeakMiB <= result.rssLimitMiB;
  return {
    target,
    measured:
      `statuses ${JSON.stringify(result.statusCounts)}, bad ${result.badResponses}, errors ${result.errors}, ` +
      `${result.finished ? "finished" : "HUNG"} in ${fixed(result.seconds, 1)} s, ` +
      (result.latencyMs
        ? `latency p50 ${result.latencyMs.p50} / p99 ${result.latencyMs.p99} / max ${result.latencyMs.max} ms, `
        : "") +
      `${result.aliveAfter ? "alive" : "NOT ALIVE"} after, RSS ${fixed(result.rssBeforeMiB)} → peak ` +
      `${fixed(result.rssPeakMiB)} MiB (limit ${fixed(result.rssLimitMiB)})`,
    met,
  };
}

/** Judges a run's figures against the targets of issue 4. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  return [
    cnnVersusRaw(results),
    mlpVersusNaive(results),
    latencyAtOne(results, "cnn", "binary"),
    latencyAtOne(results, "mlp", "binary"),
    overload(results.overload),
  ];
}
