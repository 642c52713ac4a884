import type { CpuPerItem, CpuSystem } from "./cpu-per-item";
import type { TargetCheck } from "./results";

const micros = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

function system(result: CpuPerItem, label: string): CpuSystem | undefined {
  return result.systems.find((s) => s.label === label);
}

function rawMedian(result: CpuPerItem, model: "cnn" | "mlp"): number {
  return result.raw.find((r) => r.model === model)?.medianCpuMicrosPerItem ?? Number.NaN;
}

function rounds(s: CpuSystem): string {
  return s.rounds.map((p) => micros(p.cpuMicrosPerItem)).join("/");
}

/** The table of the `cpu` phase: raw and every system, median CPU µs per item and the efficiency. */
export function cpuLines(result: CpuPerItem): string[] {
  const lines = [
    `CPU per item (issue 27), batch-1 requests at c=${result.connections}, CNN = PaddleOCR direction classifier on ${result.cnnItemShape.join("x")} items; ${result.cpuSource}; medians of ${result.systems[0]?.rounds.length ?? 0} alternating rounds`,
  ];
  for (const raw of result.raw) {
    lines.push(
      `  raw ORT ${raw.model} (1 intra-op thread, no spinning): best batch per round ${raw.best.map((p) => `${p.batch}: ${micros(p.cpuMicrosPerItem)} µs`).join(", ")}; median ${micros(raw.medianCpuMicrosPerItem)} µs/item`,
    );
  }
  lines.push(
    "  system                 µs/item (median)  rounds                  items/s  raw ÷ ours",
  );
  for (const s of result.systems) {
    const efficiency = rawMedian(result, s.model) / s.medianCpuMicrosPerItem;
    lines.push(
      `  ${s.label.padEnd(22)} ${micros(s.medianCpuMicrosPerItem).padStart(16)}  ${rounds(s).padEnd(22)} ${s.medianItemsPerSecond.toFixed(0).padStart(8)}  ${efficiency.toFixed(3).padStart(10)}`,
    );
  }
  for (const config of result.configs ?? []) {
    lines.push(
      `  our ${config.model}: max_batch_size ${config.maxBatchSize} (${config.origins.max_batch_size ?? ""}); tuned on ${config.origins.tuning_shapes ?? "?"}`,
    );
  }
  return lines;
}

function efficiencyTarget(
  result: CpuPerItem,
  label: string,
  floor: number,
  what: string,
): TargetCheck {
  const s = system(result, label);
  const raw = rawMedian(result, "cnn");
  if (!s) return { target: what, measured: `${label} not measured`, met: null };
  const efficiency = raw / s.medianCpuMicrosPerItem;
  return {
    target: `${what}: raw ÷ ours ≥ ${floor}`,
    measured: `raw ${micros(raw)} µs/item ÷ ours ${micros(s.medianCpuMicrosPerItem)} µs/item = ${efficiency.toFixed(3)} (rounds, ours: ${rounds(s)} µs)`,
    met: efficiency >= floor,
  };
}

function ratioTarget(
  result: CpuPerItem,
  label: string,
  other: string,
  ceiling: number,
  what: string,
): TargetCheck {
  const ours = system(result, label);
  const them = system(result, other);
  if (!ours || !them)
    return { target: what, measured: `${label} or ${other} not measured`, met: null };
  const ratio = ours.medianCpuMicrosPerItem / them.medianCpuMicrosPerItem;
  return {
    target: `${what}: ≤ ${ceiling} × ${other}`,
    measured: `${micros(ours.medianCpuMicrosPerItem)} vs ${micros(them.medianCpuMicrosPerItem)} µs/request = ${ratio.toFixed(3)}× (rounds: ${rounds(ours)} vs ${rounds(them)} µs)`,
    met: ratio <= ceiling,
  };
}

/** Issue 27's targets, judged on the medians of the `cpu` phase. */
export function cpuTargets(result: CpuPerItem): TargetCheck[] {
  return [
    efficiencyTarget(result, "cnn binary", 0.8, "CPU per item, CNN, HTTP binary"),
    efficiencyTarget(result, "cnn grpc", 0.75, "CPU per item, CNN, gRPC unary"),
    efficiencyTarget(result, "cnn grpc-stream", 0.75, "CPU per item, CNN, gRPC streaming"),
    efficiencyTarget(result, "cnn json", 0.3, "CPU per item, CNN, HTTP JSON"),
    ratioTarget(result, "mlp json", "mlp json ceiling", 1.1, "CPU per request, MLP JSON"),
    ratioTarget(result, "mlp json", "mlp json naive", 0.5, "CPU per request, MLP JSON"),
    ratioTarget(
      result,
      "mlp json audit",
      "mlp json",
      1.15,
      "CPU per request, MLP JSON, audit log at sample rate 1",
    ),
  ];
}
