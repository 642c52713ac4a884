import { cpuLines } from "./cpu-report";
import type { LoadPoint } from "./load";
import type { ObservabilityOverhead } from "./observability";
import type { PipelineComparison } from "./pipeline";
import {
  type BenchResults,
  isPhaseError,
  type PhaseError,
  type ServedForm,
  type ServedModel,
  SKIPPED,
} from "./results";
import type { TracingOverhead } from "./tracing";

const HEADER = [
  "system",
  "model",
  "form",
  "conc",
  "items/s",
  "p50 ms",
  "p99 ms",
  "srv cpu s",
  "srv cores",
  "gen cores",
  "batch",
  "queue µs",
  "exec µs",
  "÷ raw",
  "÷ naive",
  "÷ ceil",
];

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
    .join("  ");
}

function loadRow(
  system: string,
  model: string,
  form: string,
  point: LoadPoint,
  rawItemsPerSecond: number | undefined,
  naive: LoadPoint | undefined,
  ceiling?: LoadPoint,
): string[] {
  return [
    system,
    model,
    form,
    `${point.connections}`,
    point.itemsPerSecond.toFixed(0),
    point.latency.p50.toFixed(0),
    point.latency.p99.toFixed(0),
    point.serverCpuSeconds.toFixed(2),
    (point.serverCpuSeconds / point.seconds).toFixed(2),
    (point.loadGeneratorCpuSeconds / point.seconds).toFixed(2),
    point.server ? point.server.itemsPerExecution.toFixed(1) : "",
    point.server ? point.server.queueUsPerRequest.toFixed(0) : "",
    point.server ? point.server.computeUsPerExecution.toFixed(0) : "",
    rawItemsPerSecond ? (point.itemsPerSecond / rawItemsPerSecond).toFixed(2) : "",
    naive ? (point.itemsPerSecond / naive.itemsPerSecond).toFixed(2) : "",
    ceiling ? (point.itemsPerSecond / ceiling.itemsPerSecond).toFixed(2) : "",
  ];
}

function served(value: ServedModel | ServedForm[] | PhaseError | undefined): ServedForm[] {
  if (!value || isPhaseError(value)) return [];
  return Array.isArray(value) ? value : value.forms;
}

interface ServedConfig {
  max_batch_size?: number;
  parameters?: Record<string, { string_value: string }>;
}

/** One line on what our server chose for a config-less model, from its served config. */
function choices(model: string, value: ServedModel | PhaseError | undefined): string | undefined {
  if (!value || isPhaseError(value) || !value.config) return undefined;
  const config = value.config as ServedConfig;
  const parameters = config.parameters ?? {};
  const origin = parameters["origin.max_batch_size"]?.string_value ?? "";
  return (
    `server    ${model} config: max_batch_size ${config.max_batch_size} (${origin}); ` +
    `placement ${parameters.execution_placement?.string_value} (${parameters["origin.execution_placement"]?.string_value ?? ""})`
  );
}

/** Issue 31's pipeline: the ensemble against the client calling the steps, per concurrency. */
function pipelineLines(pipeline: PipelineComparison): string[] {
  const lines = [
    `pipeline: ocr_direction ensemble vs client calling ocr_preprocess then ocr_direction_cls (image ${pipeline.imageShape.join("x")} UINT8, HTTP binary; ${pipeline.cpuSource})`,
  ];
  for (const point of pipeline.points) {
    const { ensemble, client } = point.median;
    lines.push(
      `  c=${point.connections} rounds (ensemble/client req/s): ` +
        point.rounds
          .map(
            (r) =>
              `${r.ensemble.requestsPerSecond.toFixed(0)}/${r.client.requestsPerSecond.toFixed(0)}`,
          )
          .join(", "),
      `  c=${point.connections} median: ensemble ${ensemble.requestsPerSecond.toFixed(0)} req/s, ${ensemble.serverCpuMsPerRequest.toFixed(2)} server CPU ms/req, p50 ${ensemble.p50Ms.toFixed(1)} ms; ` +
        `client ${client.requestsPerSecond.toFixed(0)} req/s, ${client.serverCpuMsPerRequest.toFixed(2)} server CPU ms/req, p50 ${client.p50Ms.toFixed(1)} ms; ` +
        `ensemble ÷ client: req/s ${point.ratio.requestsPerSecond.toFixed(2)}, server CPU/req ${point.ratio.serverCpuPerRequest.toFixed(2)}`,
    );
  }
  return lines;
}

/** Issue 30's overhead: server CPU per request of each contender, its rounds and ratio to off. */
function tracingLines(overhead: TracingOverhead): string[] {
  const lines = [
    `tracing: server CPU µs per request, requests per round ${Object.entries(
      overhead.requestsPerRound,
    )
      .map(([model, count]) => `${model} ${count}`)
      .join(", ")}, c=${overhead.connections} (OTLP exports received: ${Object.entries(
      overhead.exportsReceived,
    )
      .map(([name, count]) => `${name} ${count}`)
      .join(", ")})`,
  ];
  for (const entry of overhead.models) {
    const names = Object.keys(entry.cpuUsPerRequest);
    lines.push(
      `  ${entry.model} rounds (${names.join("/")}): ` +
        entry.rounds.map((r) => names.map((n) => r[n].toFixed(0)).join("/")).join(", "),
      `  ${entry.model} median: ` +
        names
          .map(
            (n) =>
              `${n} ${entry.cpuUsPerRequest[n].toFixed(0)} µs` +
              (n === "off" ? "" : ` (÷ off ${entry.ratios[n].toFixed(3)})`),
          )
          .join(", "),
    );
  }
  return lines;
}

/** Issue 18's overhead: each round, then the medians and their ratio, per model. */
function observabilityLines(overhead: ObservabilityOverhead): string[] {
  const lines = [
    `observability: all off vs all on (drift baseline, output distributions, ${overhead.onFlags.join(" ")})`,
  ];
  for (const entry of overhead.models) {
    const { connections, rounds, medianItemsPerSecond } = entry.headToHead;
    const names = Object.keys(medianItemsPerSecond);
    lines.push(
      `  ${entry.model} json c=${connections} rounds (${names.join("/")} items/s): ` +
        rounds.map((r) => names.map((n) => r[n].itemsPerSecond.toFixed(0)).join("/")).join(", "),
      `  ${entry.model} median items/s: ` +
        names
          .map(
            (n) =>
              `${n} ${medianItemsPerSecond[n].toFixed(0)}` +
              (n === "off" ? "" : ` (÷ off ${entry.ratios[n].toFixed(3)})`),
          )
          .join(", ") +
        `; p50 ms ${names.map((n) => `${n} ${entry.p50Ms[n]}`).join(", ")}`,
    );
  }
  lines.push(
    `  evidence: audit log ${overhead.auditLogBytes} bytes; ` +
      Object.entries(overhead.evidence)
        .map(([name, value]) => `${name} ${Number(value.toFixed(3))}`)
        .join(", "),
  );
  return lines;
}

/** Formats a run's figures as a text table followed by errors and the target checks. */
export function formatReport(results: BenchResults): string {
  const rows: string[][] = [];
  const errors = new Map<string, string[]>();
  const skipped: string[] = [];
  const failed = (phase: string, error: string) => {
    if (error === SKIPPED) {
      skipped.push(phase);
      return;
    }
    const short = error.length > 1_200 ? `${error.slice(0, 1_200)}…` : error;
    errors.set(short, [...(errors.get(short) ?? []), phase]);
  };
  const sequential: string[] = [];
  if (isPhaseError(results.cpuPerItem)) failed("cpu", results.cpuPerItem.error);
  else sequential.push(...cpuLines(results.cpuPerItem), "");
  const ceiling = isPhaseError(results.ceiling) ? [] : results.ceiling;
  if (isPhaseError(results.ceiling)) failed("ceiling", results.ceiling.error);
  for (const model of ["cnn", "mlp"]) {
    const raw = results.raw[model];
    const rawBest = raw && !isPhaseError(raw) ? raw.best.itemsPerSecond : undefined;
    if (raw && isPhaseError(raw)) failed(`raw ${model}`, raw.error);
    if (raw && !isPhaseError(raw)) {
      for (const point of raw.sweep) {
        rows.push([
          "raw ORT",
          model,
          "in-proc",
          "",
          point.itemsPerSecond.toFixed(0),
          "",
          "",
          "",
          "",
          "",
          `${point.batch}`,
          "",
          ((point.batch / point.itemsPerSecond) * 1e6).toFixed(0),
          (point.itemsPerSecond / raw.best.itemsPerSecond).toFixed(2),
          "",
          "",
        ]);
      }
      sequential.push(
        `raw ORT   ${model} session.run(batch 1): p50 ${raw.singleRun.p50.toFixed(3)} ms, p99 ${raw.singleRun.p99.toFixed(3)} ms` +
          ` (phase: ${raw.cpuSeconds.toFixed(1)} CPU s in ${raw.seconds.toFixed(1)} s = ${(raw.cpuSeconds / raw.seconds).toFixed(2)} cores)`,
      );
    }
    const naiveJson = served(results.naive[model]).find((f) => f.form === "json");
    for (const [system, value] of [
      ["server", results.server[model]],
      ["naive", results.naive[model]],
    ] as const) {
      if (value && isPhaseError(value)) failed(`${system} ${model}`, value.error);
      for (const form of served(value)) {
        for (const point of form.load) {
          const naivePoint =
            system === "server"
              ? naiveJson?.load.find((p) => p.connections === point.connections)
              : undefined;
          const ceilingPoint =
            model === "mlp" && form.form === "json"
              ? ceiling.find((p) => p.connections === point.connections)
              : undefined;
          rows.push(loadRow(system, model, form.form, point, rawBest, naivePoint, ceilingPoint));
        }
        sequential.push(
          `${system.padEnd(9)} ${model} ${form.form} sequential c=1: p50 ${form.sequential.p50.toFixed(3)} ms, p99 ${form.sequential.p99.toFixed(3)} ms`,
        );
      }
    }
    const chosen = choices(model, results.server[model]);
    if (chosen) sequential.push(chosen);
  }
  for (const point of ceiling) {
    rows.push(loadRow("ceiling", "mlp", "json", point, undefined, undefined));
  }
  const duel = results.mlpHeadToHead;
  if (isPhaseError(duel)) failed("head to head", duel.error);
  else {
    for (const [i, round] of duel.rounds.entries()) {
      sequential.push(
        `head to head mlp json c=${duel.connections} round ${i + 1}: ` +
          Object.entries(round)
            .map(([name, point]) => `${name} ${point.itemsPerSecond.toFixed(0)}`)
            .join(", "),
      );
    }
  }
  const cnnDuel = results.cnnHeadToHead;
  if (isPhaseError(cnnDuel)) failed("cnn head to head", cnnDuel.error);
  else {
    for (const [i, round] of cnnDuel.rounds.entries()) {
      sequential.push(
        `head to head cnn round ${i + 1}: raw batch ${cnnDuel.rawBatch} ${round.raw.toFixed(0)}, ` +
          `binary c=${cnnDuel.connections.binary} ${round.binary.toFixed(0)}, json c=${cnnDuel.connections.json} ${round.json.toFixed(0)}, ` +
          `grpc c=${cnnDuel.connections.grpc} ${round.grpc.toFixed(0)}, ` +
          `grpc stream c=${cnnDuel.connections.grpcStream} ${round.grpcStream.toFixed(0)} items/s`,
      );
    }
  }
  if (isPhaseError(results.ready)) failed("ready", results.ready.error);
  if (isPhaseError(results.overload)) failed("overload", results.overload.error);
  if (isPhaseError(results.observability)) failed("observability", results.observability.error);
  else sequential.push(...observabilityLines(results.observability));
  if (isPhaseError(results.tracing)) failed("tracing", results.tracing.error);
  else sequential.push(...tracingLines(results.tracing));
  if (isPhaseError(results.pipeline)) failed("pipeline", results.pipeline.error);
  else sequential.push(...pipelineLines(results.pipeline));
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const lines = [pad(HEADER, widths), ...rows.map((r) => pad(r, widths)), "", ...sequential, ""];
  lines.push("Targets (issues 27, 12, 15 and 24):");
  for (const check of results.targets) {
    const verdict = check.met === null ? "NOT MEASURED" : check.met ? "met" : "MISSED";
    lines.push(`  [${verdict}] ${check.target}\n      ${check.measured}`);
  }
  const { cpus, loadAverageAtStart, loadAverageAtEnd } = results.machine;
  if (Math.max(loadAverageAtStart, loadAverageAtEnd) > cpus) {
    lines.push(
      "",
      `WARNING: load average ${loadAverageAtStart.toFixed(1)} → ${loadAverageAtEnd.toFixed(1)} on ${cpus} CPUs: ` +
        "other processes competed with this run; its figures are depressed and noisy.",
    );
  }
  if (skipped.length > 0) lines.push("", `Skipped: ${skipped.join(", ")}`);
  if (errors.size > 0) lines.push("", "Failed phases:");
  for (const [error, phases] of errors) lines.push(`  ${phases.join(", ")}: ${error}`);
  return lines.join("\n");
}
