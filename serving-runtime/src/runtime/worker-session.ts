import { Worker } from "node:worker_threads";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import type { NumericArray, NumericArrayConstructor } from "../protocol/datatypes";
import { TransferPool } from "./transfer-pool";
import { SESSION_WORKER_SOURCE } from "./worker-source";

/** A tensor as it crosses the thread boundary: onnxruntime type, dims and data. */
export interface PlainTensor {
  /** onnxruntime element type, e.g. `float32`. */
  type: Tensor.Type;
  /** Dimensions. */
  dims: readonly number[];
  /** Elements: a typed array, or strings for `string` tensors. */
  data: Tensor.DataType;
}

/** What a run in the thread returns. */
export interface WorkerRun {
  /** Outputs by name. */
  outputs: Record<string, PlainTensor>;
  /** Time `session.run` took in the thread, in microseconds. */
  inferMicroseconds: number;
}

interface Pending {
  resolve(run: WorkerRun): void;
  reject(error: Error): void;
}

type WorkerMessage =
  | {
      kind: "ready";
      inputMetadata: InferenceSession.ValueMetadata[];
      outputMetadata: InferenceSession.ValueMetadata[];
    }
  | { kind: "failed"; message: string }
  | {
      id: number;
      outputs: Record<string, PlainTensor>;
      inferMicroseconds: number;
      returned: ArrayBuffer[];
    }
  | { id: number; error: string; returned: ArrayBuffer[] };

const ORT_PATH = require.resolve("onnxruntime-node");

/**
 * An input's data, ready to be transferred: a typed array in a buffer of the session's pool, or
 * owning its whole buffer, is sent as it is; a view into a larger buffer (e.g. a request body)
 * is copied once into a buffer from the pool.
 */
function transferableData(tensor: PlainTensor, pool: TransferPool): Tensor.DataType {
  const data = tensor.data;
  if (!ArrayBuffer.isView(data)) return data;
  if (pool.owns(data.buffer) && data.byteOffset === 0) return data;
  const whole =
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength &&
    !(data.buffer instanceof SharedArrayBuffer);
  if (whole) return data;
  const buffer = pool.take(data.byteLength);
  new Uint8Array(buffer, 0, data.byteLength).set(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
  const View = data.constructor as NumericArrayConstructor;
  return new View(buffer, 0, data.byteLength / View.BYTES_PER_ELEMENT) as Tensor.DataType;
}

/**
 * One onnxruntime session living in a worker thread of its own (see `worker-source.ts` for why).
 * Input buffers are transferred to the thread and outputs come back the same way, without a
 * copy; the thread sends the input buffers back with the results, into the session's
 * {@link TransferPool}, so the next batches reuse them. Several runs may be posted at once and
 * execute one after another in the thread.
 */
export class WorkerSession {
  /** The buffers inputs cross the thread boundary in. */
  readonly pool = new TransferPool();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    /** The model's inputs as onnxruntime reports them. */
    readonly inputMetadata: readonly InferenceSession.ValueMetadata[],
    /** The model's outputs as onnxruntime reports them. */
    readonly outputMetadata: readonly InferenceSession.ValueMetadata[],
  ) {
    worker.on("message", (message: WorkerMessage) => this.settle(message));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`inference thread exited with code ${code}`)));
  }

  /**
   * Starts a thread and creates the session in it; rejects with onnxruntime's message when the
   * session cannot be created (bad model, unavailable execution provider).
   *
   * @param model the ONNX model bytes
   * @param options onnxruntime session options
   */
  static create(
    model: Uint8Array,
    options: InferenceSession.SessionOptions,
  ): Promise<WorkerSession> {
    const worker = new Worker(SESSION_WORKER_SOURCE, {
      eval: true,
      workerData: { ortPath: ORT_PATH, model, options },
    });
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once("error", onError);
      worker.once("message", (message: WorkerMessage) => {
        worker.off("error", onError);
        if ("kind" in message && message.kind === "ready") {
          resolve(new WorkerSession(worker, message.inputMetadata, message.outputMetadata));
          return;
        }
        void worker.terminate();
        reject(
          new Error(
            "kind" in message && message.kind === "failed"
              ? message.message
              : "inference thread failed to start",
          ),
        );
      });
    });
  }

  /**
   * A typed array of `length` elements in a buffer of the session's pool, for assembling a batch
   * that {@link run} then transfers without a further copy.
   *
   * @param View the typed array's constructor
   * @param length elements
   */
  inputArray<T extends NumericArray>(
    View: {
      new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
      BYTES_PER_ELEMENT: number;
    },
    length: number,
  ): T {
    return new View(this.pool.take(length * View.BYTES_PER_ELEMENT), 0, length);
  }

  /**
   * Runs the model in its thread. The feeds' buffers are transferred: the caller must not use
   * them afterwards.
   *
   * @param feeds inputs by name
   * @param outputNames outputs to compute
   * @param runOptions onnxruntime run options (e.g. its log level for this run)
   */
  run(
    feeds: Record<string, PlainTensor>,
    outputNames: string[],
    runOptions: InferenceSession.RunOptions = {},
  ): Promise<WorkerRun> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const sent: Record<string, PlainTensor> = {};
    const transfer = new Set<ArrayBuffer>();
    for (const [name, tensor] of Object.entries(feeds)) {
      const data = transferableData(tensor, this.pool);
      if (ArrayBuffer.isView(data)) transfer.add(data.buffer as ArrayBuffer);
      sent[name] = { type: tensor.type, dims: tensor.dims, data };
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, feeds: sent, outputNames, runOptions }, [...transfer]);
    });
  }

  /** Frees the session and stops its thread. */
  async release(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error("the session was released");
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage({ release: true });
    await exited;
  }

  private settle(message: WorkerMessage): void {
    if (!("id" in message)) return;
    for (const buffer of message.returned ?? []) this.pool.give(buffer);
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if ("error" in message) pending.reject(new Error(message.error));
    else
      pending.resolve({ outputs: message.outputs, inferMicroseconds: message.inferMicroseconds });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
