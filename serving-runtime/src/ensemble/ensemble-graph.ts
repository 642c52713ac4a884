import { describeStep, type EnsembleStep } from "./ensemble-config";

/** The data flow of an ensemble: which step writes and which steps read each ensemble tensor. */
export interface EnsembleGraph {
  /** Ensemble tensor → the step writing it; ensemble inputs have none. */
  producer: ReadonlyMap<string, EnsembleStep>;
  /** Ensemble tensor → the steps reading it. */
  consumers: ReadonlyMap<string, readonly EnsembleStep[]>;
  /** The steps in an order where every step comes after the steps it reads from. */
  order: readonly EnsembleStep[];
}

function inputsOf(step: EnsembleStep): string[] {
  return [...new Set(Object.values(step.input_map))];
}

function outputsOf(step: EnsembleStep): string[] {
  return Object.values(step.output_map);
}

/** A cycle among `remaining` steps, as `step a needs 'x' from step b, which needs …`. */
function describeCycle(
  remaining: readonly EnsembleStep[],
  producer: ReadonlyMap<string, EnsembleStep>,
): string {
  const inCycle = new Set(remaining);
  const path: { step: EnsembleStep; tensor: string }[] = [];
  const seen = new Map<EnsembleStep, number>();
  let current = remaining[0];
  while (!seen.has(current)) {
    seen.set(current, path.length);
    const tensor = inputsOf(current).find((name) => {
      const from = producer.get(name);
      return from !== undefined && inCycle.has(from);
    }) as string;
    path.push({ step: current, tensor });
    current = producer.get(tensor) as EnsembleStep;
  }
  const loop = path.slice(seen.get(current));
  return loop
    .map(({ step, tensor }, i) => {
      const from = producer.get(tensor) as EnsembleStep;
      return `${i === 0 ? "" : "which "}${describeStep(step)} needs '${tensor}' from ${describeStep(from)}`;
    })
    .join(", ");
}

/**
 * Checks how an ensemble's tensors connect, as Triton does before it looks at any model, and
 * returns the data flow. Throws an Error naming the step and the tensor that does not connect:
 * a tensor two steps write, a step writing an ensemble input, a step reading a tensor nothing
 * writes, a cycle, an ensemble input no step reads, an ensemble output no step writes, a written
 * tensor nothing reads, or a step whose input may be missing (written by an `on_failure: skip`
 * step) that is not `on_failure: skip` itself.
 *
 * @param inputs the ensemble's input names
 * @param outputs the ensemble's output names
 * @param steps the validated steps
 */
export function buildEnsembleGraph(
  inputs: readonly string[],
  outputs: readonly string[],
  steps: readonly EnsembleStep[],
): EnsembleGraph {
  const ensembleInputs = new Set(inputs);
  const producer = new Map<string, EnsembleStep>();
  const consumers = new Map<string, EnsembleStep[]>();
  for (const step of steps) {
    for (const tensor of outputsOf(step)) {
      const other = producer.get(tensor);
      if (other) {
        throw new Error(
          `ensemble tensor '${tensor}' can appear in an output map only once: ${describeStep(other)} and ${describeStep(step)} both write it`,
        );
      }
      if (ensembleInputs.has(tensor)) {
        throw new Error(
          `${describeStep(step)} writes '${tensor}', which is an ensemble input; ensemble inputs come from the request`,
        );
      }
      producer.set(tensor, step);
    }
    for (const tensor of inputsOf(step)) {
      consumers.set(tensor, [...(consumers.get(tensor) ?? []), step]);
    }
  }
  for (const step of steps) {
    for (const [input, tensor] of Object.entries(step.input_map)) {
      if (!ensembleInputs.has(tensor) && !producer.has(tensor)) {
        throw new Error(
          `${describeStep(step)} input '${input}' reads ensemble tensor '${tensor}', which is neither an ensemble input (${inputs.join(", ")}) nor written by any step`,
        );
      }
    }
  }
  const order = topologicalOrder(steps, producer);
  for (const input of inputs) {
    if (!consumers.has(input)) {
      throw new Error(`ensemble input '${input}' is not used: no step's input_map reads it`);
    }
  }
  const ensembleOutputs = new Set(outputs);
  for (const output of outputs) {
    if (!producer.has(output) && !(ensembleInputs.has(output) && consumers.has(output))) {
      throw new Error(`ensemble output '${output}' is not written: no step's output_map writes it`);
    }
  }
  for (const [tensor, step] of producer) {
    if (!ensembleOutputs.has(tensor) && !consumers.has(tensor)) {
      throw new Error(
        `ensemble tensor '${tensor}' written by ${describeStep(step)} is unused: no step reads it and it is not an ensemble output`,
      );
    }
  }
  for (const step of steps) {
    if (step.on_failure === "skip") continue;
    for (const tensor of inputsOf(step)) {
      const from = producer.get(tensor);
      if (from?.on_failure === "skip") {
        throw new Error(
          `${describeStep(step)} reads '${tensor}' from ${describeStep(from)}, which is on_failure: skip, so '${tensor}' may be missing; make ${describeStep(step)} on_failure: skip too, or ${describeStep(from)} required`,
        );
      }
    }
  }
  return { producer, consumers, order };
}

function topologicalOrder(
  steps: readonly EnsembleStep[],
  producer: ReadonlyMap<string, EnsembleStep>,
): EnsembleStep[] {
  const order: EnsembleStep[] = [];
  const done = new Set<EnsembleStep>();
  let remaining = [...steps];
  while (remaining.length > 0) {
    const ready = remaining.filter((step) =>
      inputsOf(step).every((tensor) => {
        const from = producer.get(tensor);
        return from === undefined || done.has(from);
      }),
    );
    if (ready.length === 0) {
      throw new Error(`the steps form a cycle: ${describeCycle(remaining, producer)}`);
    }
    for (const step of ready) {
      order.push(step);
      done.add(step);
    }
    remaining = remaining.filter((step) => !done.has(step));
  }
  return order;
}

/**
 * The steps a request needs for the outputs it asks for (every step that writes one of them or
 * a tensor such a step reads), in data-flow order.
 *
 * @param graph the ensemble's data flow
 * @param outputs the ensemble outputs asked for
 */
export function stepsFor(graph: EnsembleGraph, outputs: readonly string[]): EnsembleStep[] {
  const needed = new Set<EnsembleStep>();
  const pending = [...outputs];
  while (pending.length > 0) {
    const step = graph.producer.get(pending.pop() as string);
    if (!step || needed.has(step)) continue;
    needed.add(step);
    pending.push(...inputsOf(step));
  }
  return graph.order.filter((step) => needed.has(step));
}
