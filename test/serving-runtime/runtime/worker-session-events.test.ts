import type { EventEmitter } from "node:events";
import { WorkerSession } from "@hybridai/serving-runtime/src/runtime/worker-session";
import { beforeEach, describe, expect, it, vi } from "vitest";

// What a WorkerSession does with events its thread can send but a real onnxruntime thread sends
// only when something outside the session's own try/catch breaks (an uncaught exception, a
// thread that dies while starting). The thread's source is a fixed string, so here
// `node:worker_threads` is replaced by a Worker the test drives: each event is emitted by hand.
// The same session code runs against real threads in worker-session.test.ts.

/** What the test sees of a stand-in `Worker`: what it was given and sent; its events are emitted by hand. */
interface ScriptedWorker extends EventEmitter {
  readonly options: { eval?: boolean; workerData?: unknown };
  readonly posted: unknown[];
  terminated: boolean;
}

/** The stand-in workers in the order they were created. */
const workers = vi.hoisted((): ScriptedWorker[] => []);

vi.mock("node:worker_threads", async () => {
  const events = await import("node:events");
  /** A stand-in for `Worker`: records what it is sent and whether it was terminated. */
  class Scripted extends events.EventEmitter implements ScriptedWorker {
    readonly posted: unknown[] = [];
    terminated = false;

    constructor(
      readonly source: string,
      readonly options: { eval?: boolean; workerData?: unknown },
    ) {
      super();
      workers.push(this);
    }

    postMessage(message: unknown): void {
      this.posted.push(message);
    }

    terminate(): Promise<number> {
      this.terminated = true;
      return Promise.resolve(1);
    }
  }
  return { Worker: Scripted };
});

const READY = { kind: "ready", inputMetadata: [], outputMetadata: [] };
const feeds = () => ({ x: { type: "float32" as const, dims: [1], data: Float32Array.of(1) } });

/** Follows how `promise` settles (handled from the start, so a rejection never goes unhandled). */
function track(promise: Promise<unknown>): { readonly state: string } {
  const tracked = { state: "pending" };
  promise.then(
    () => {
      tracked.state = "resolved";
    },
    (error: Error) => {
      tracked.state = `rejected: ${error.message}`;
    },
  );
  return tracked;
}

/** Lets pending promise callbacks run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A session whose thread has said it is ready. */
async function startedSession(): Promise<{ session: WorkerSession; worker: ScriptedWorker }> {
  const starting = WorkerSession.create(new Uint8Array(1), {});
  const worker = workers[workers.length - 1];
  worker.emit("message", READY);
  return { session: await starting, worker };
}

beforeEach(() => {
  workers.length = 0;
});

describe("WorkerSession and its thread's events", () => {
  it("starts the thread from the session source with the model and options as worker data", async () => {
    const { worker } = await startedSession();
    expect(worker.options.eval).toBe(true);
    expect(worker.options.workerData).toMatchObject({ model: new Uint8Array(1), options: {} });
    // Once ready, only the session listens for the thread's errors.
    expect(worker.listenerCount("error")).toBe(1);
  });

  it("fails every run in flight with the thread's error, and every later run with the same error", async () => {
    const { session, worker } = await startedSession();
    const inFlight = [track(session.run(feeds(), ["y"])), track(session.run(feeds(), ["y"]))];
    expect(worker.posted.length).toBe(2);
    worker.emit("error", new Error("uncaught in the thread"));
    const later = track(session.run(feeds(), ["y"]));
    await turn();
    expect(inFlight.map((run) => run.state)).toEqual([
      "rejected: uncaught in the thread",
      "rejected: uncaught in the thread",
    ]);
    expect(later.state).toBe("rejected: uncaught in the thread");
    // Nothing more is sent to a thread that failed, and the exit that follows does not replace
    // the error.
    worker.emit("exit", 1);
    const afterExit = track(session.run(feeds(), ["y"]));
    await turn();
    expect(afterExit.state).toBe("rejected: uncaught in the thread");
    expect(worker.posted.length).toBe(2);
  });

  it("rejects creation with the error of a thread that fails before it is ready", async () => {
    const starting = track(WorkerSession.create(new Uint8Array(1), {}));
    workers[0].emit("error", new Error("cannot load onnxruntime"));
    await turn();
    expect(starting.state).toBe("rejected: cannot load onnxruntime");
  });

  it("stops a thread whose first message is neither ready nor failed", async () => {
    const starting = track(WorkerSession.create(new Uint8Array(1), {}));
    workers[0].emit("message", { id: 1, error: "out of order" });
    await turn();
    expect(starting.state).toBe("rejected: inference thread failed to start");
    expect(workers[0].terminated).toBe(true);
    // The start-up error listener is gone: an error now would be the session's to handle.
    expect(workers[0].listenerCount("error")).toBe(0);
  });

  it("passes on the message of a thread that could not create its session", async () => {
    const starting = track(WorkerSession.create(new Uint8Array(1), {}));
    workers[0].emit("message", { kind: "failed", message: "Load model failed: protobuf parsing" });
    await turn();
    expect(starting.state).toBe("rejected: Load model failed: protobuf parsing");
    expect(workers[0].terminated).toBe(true);
  });
});
