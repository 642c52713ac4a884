import { invalidArgument } from "./errors";
import { MAX_PARAMETERS } from "./request-bounds";
import type { ModelSignature } from "./tensor-spec";

/** Keys a request object, an input or an output may carry besides its parameters. */
const KEYS_PER_OBJECT = 16;

const OPEN_BRACE = 0x7b;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** How many times `byte` occurs in `bytes`, counting no further than `limit + 1`. */
function countUpTo(bytes: Buffer, byte: number, limit: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at >= 0 && count <= limit; at = bytes.indexOf(byte, at + 1)) {
    count++;
  }
  return count;
}

/**
 * Counts the objects and keys of an inference request's JSON as it arrives, chunk by chunk,
 * and refuses it (400) the moment it holds more than any valid request for the model can: one
 * object per input, output and parameters block, {@link MAX_PARAMETERS} parameters a block. A
 * body of a million tiny objects costs seconds and gigabytes to parse, a valid one of the same
 * size almost nothing; counted as it arrives, such a body is refused after its first few hundred
 * bytes, before the rest is buffered. Counting the `{` and `:` bytes with `indexOf` decides
 * almost every body at memory speed; only once those raw counts (which include bytes inside
 * strings) pass a limit is the text read string by string, from its start, and that count stops
 * at the first object or key over the limit.
 */
export class JsonCensus {
  private readonly objectLimit: number;
  private readonly keyLimit: number;
  private rawObjects = 0;
  private rawKeys = 0;
  /** Chunks counted only raw so far; read exactly once the raw counts pass a limit. */
  private unread: Buffer[] = [];
  private exact = false;
  private objects = 0;
  private keys = 0;
  private inString = false;
  private escaped = false;
  private remaining: number;

  /**
   * @param model the model version the request targets
   * @param jsonBytes how many bytes of the body are JSON: all of them (the default), or a
   *   binary request's `Inference-Header-Content-Length`
   */
  constructor(
    private readonly model: ModelSignature,
    jsonBytes = Number.POSITIVE_INFINITY,
  ) {
    const tensors = model.inputs.length + model.outputs.length;
    this.objectLimit = 2 + 2 * tensors;
    this.keyLimit = (1 + tensors) * (KEYS_PER_OBJECT + MAX_PARAMETERS);
    this.remaining = jsonBytes;
  }

  /** Counts the next chunk of the body; throws 400 once the JSON is over a limit. */
  feed(chunk: Buffer): void {
    if (this.remaining <= 0) return;
    const json = chunk.length > this.remaining ? chunk.subarray(0, this.remaining) : chunk;
    this.remaining -= json.length;
    if (this.exact) {
      this.read(json);
      return;
    }
    this.rawObjects += countUpTo(json, OPEN_BRACE, this.objectLimit);
    this.rawKeys += countUpTo(json, COLON, this.keyLimit);
    this.unread.push(json);
    if (this.rawObjects <= this.objectLimit && this.rawKeys <= this.keyLimit) return;
    this.exact = true;
    const unread = this.unread;
    this.unread = [];
    for (const part of unread) this.read(part);
  }

  /** Counts objects and keys outside strings, carrying the string state across chunks. */
  private read(bytes: Buffer): void {
    let i = 0;
    if (this.escaped) {
      this.escaped = false;
      i = 1;
    }
    for (; i < bytes.length; i++) {
      const byte = bytes[i];
      if (this.inString) {
        if (byte === BACKSLASH) {
          if (i + 1 >= bytes.length) this.escaped = true;
          i++;
        } else if (byte === QUOTE) {
          this.inString = false;
        }
      } else if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE) {
        if (++this.objects > this.objectLimit) throw this.refusal("objects");
      } else if (byte === COLON) {
        if (++this.keys > this.keyLimit) throw this.refusal("keys");
      }
    }
  }

  private refusal(what: "objects" | "keys") {
    const { model } = this;
    const shape =
      `a request for model '${model.name}' (${plural(model.inputs.length, "input")}, ` +
      `${plural(model.outputs.length, "output")})`;
    return invalidArgument(
      what === "objects"
        ? `the request's JSON holds more than ${this.objectLimit} objects: ${shape} has at most one object per input, output and parameters block`
        : `the request's JSON holds more than ${this.keyLimit} keys: ${shape} has at most ${MAX_PARAMETERS} parameters in each parameters block`,
    );
  }
}

/**
 * Refuses a whole JSON text the way {@link JsonCensus} refuses one arriving chunk by chunk.
 *
 * @param json the JSON text (a whole body, or a binary request's JSON header)
 * @param model the model version the request targets
 */
export function checkJsonSize(json: Buffer, model: ModelSignature): void {
  new JsonCensus(model).feed(json);
}
