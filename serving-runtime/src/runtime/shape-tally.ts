import type { DecodedInput } from "../protocol/infer-request";

/** The item shapes (dimensions after the batch) of every input, in the model's input order. */
export interface ObservedShape {
  /** Item dimensions by input, in the model's input order. */
  dims: readonly (readonly number[])[];
  /** `x=3x48x192,k=4`: for messages, and equal exactly when the shapes are. */
  key: string;
}

/** When a tally window closes and what makes a shape dominant in it. */
export interface TallyWindow {
  /** Requests a window counts before it is judged. */
  requests: number;
  /** Share of a window's requests one shape must carry to dominate it (above 0.5: at most one). */
  dominantShare: number;
}

interface Slot {
  shape: ObservedShape;
  requests: number;
}

/** Distinct shapes one window keeps apart; requests of further shapes count as "other". */
const SLOTS = 8;

/**
 * A bounded tally of the item shapes a model's executions carry, judged window by window: a
 * window of `requests` requests closes with the shape that carried at least `dominantShare` of
 * them, if one did. Counting compares dimensions in place against at most {@link SLOTS} shapes
 * and allocates only for a shape the window has not seen yet; it is fed once per execution (every
 * request of a batch has the same item shapes), not once per request.
 */
export class ShapeTally {
  private slots: Slot[] = [];
  private counted = 0;
  private total = 0;

  /**
   * @param names the model's input names, in its input order
   * @param window window size and dominance share
   */
  constructor(
    private readonly names: readonly string[],
    private readonly window: TallyWindow,
  ) {}

  /** Requests counted since the tally began. */
  get requests(): number {
    return this.total;
  }

  /**
   * Counts one execution's requests under its item shape. Returns the closed window's verdict
   * when this execution completed a window: the dominant shape, or null when none dominated.
   *
   * @param inputs the execution's (first request's) inputs, in the model's input order
   * @param requests requests the execution carried
   */
  count(inputs: readonly DecodedInput[], requests: number): ObservedShape | null | undefined {
    this.total += requests;
    this.counted += requests;
    const slot = this.slotOf(inputs);
    if (slot) slot.requests += requests;
    if (this.counted < this.window.requests) return undefined;
    let best: Slot | undefined;
    for (const candidate of this.slots) {
      if (!best || candidate.requests > best.requests) best = candidate;
    }
    const dominant =
      best && best.requests >= this.window.dominantShare * this.counted ? best.shape : null;
    this.slots = [];
    this.counted = 0;
    return dominant;
  }

  private slotOf(inputs: readonly DecodedInput[]): Slot | undefined {
    for (const slot of this.slots) if (sameItems(slot.shape.dims, inputs)) return slot;
    if (this.slots.length >= SLOTS) return undefined;
    const dims = inputs.map((input) => input.shape.slice(1));
    const slot = { shape: { dims, key: shapeKey(this.names, dims) }, requests: 0 };
    this.slots.push(slot);
    return slot;
  }
}

function sameItems(dims: readonly (readonly number[])[], inputs: readonly DecodedInput[]): boolean {
  if (dims.length !== inputs.length) return false;
  for (let i = 0; i < dims.length; i++) {
    const shape = inputs[i].shape;
    const item = dims[i];
    if (shape.length !== item.length + 1) return false;
    for (let d = 0; d < item.length; d++) if (shape[d + 1] !== item[d]) return false;
  }
  return true;
}

/**
 * `x=3x48x192,k=4`: each input's item dimensions (`scalar` for none).
 *
 * @param names input names, in the model's input order
 * @param dims item dimensions by input, same order
 */
export function shapeKey(names: readonly string[], dims: readonly (readonly number[])[]): string {
  return names.map((name, i) => `${name}=${dims[i].join("x") || "scalar"}`).join(",");
}
