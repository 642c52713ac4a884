/**
 * The source of the thread that owns one onnxruntime session. onnxruntime-node's `session.run`
 * executes on the calling thread (it only defers the call with `setImmediate`), so every model
 * instance lives in a worker thread of its own and the event loop never waits on inference.
 *
 * It is plain CommonJS run with `new Worker(source, { eval: true })`, so the same code serves
 * the compiled runtime and the TypeScript test run. Protocol: `workerData` carries
 * `{ ortPath, model, options }`; the worker answers `{ kind: "ready", inputMetadata,
 * outputMetadata }` or `{ kind: "failed", message }`; then each `{ id, feeds, outputNames, runOptions }`
 * gets `{ id, outputs, inferMicroseconds, returned }` or `{ id, error, returned }`, where
 * `returned` transfers the feeds' buffers back to the main thread's pool, and `{ release: true }`
 * frees the session.
 */
export const SESSION_WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ortPath);

function tensorOf(value) {
  return new ort.Tensor(value.type, value.data, value.dims);
}

function plain(tensor) {
  return { type: tensor.type, dims: tensor.dims, data: tensor.data };
}

function transferables(outputs) {
  const buffers = [];
  for (const value of Object.values(outputs)) {
    const data = value.data;
    if (ArrayBuffer.isView(data) && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
      buffers.push(data.buffer);
    }
  }
  return buffers;
}

// The feeds' buffers, to go back to the main thread's pool; none that an output also uses.
function inputBuffers(feeds, outputs) {
  const used = new Set();
  for (const value of Object.values(outputs)) if (ArrayBuffer.isView(value.data)) used.add(value.data.buffer);
  const buffers = new Set();
  for (const value of Object.values(feeds)) {
    const data = value.data;
    if (ArrayBuffer.isView(data) && !(data.buffer instanceof SharedArrayBuffer) && !used.has(data.buffer)) buffers.add(data.buffer);
  }
  return [...buffers];
}

async function main() {
  let session;
  try {
    session = await ort.InferenceSession.create(workerData.model, workerData.options);
  } catch (error) {
    parentPort.postMessage({ kind: "failed", message: String(error && error.message ? error.message : error) });
    return;
  }
  parentPort.postMessage({
    kind: "ready",
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
  });
  parentPort.on("message", async (message) => {
    if (message.release) {
      await session.release();
      parentPort.close();
      return;
    }
    try {
      const feeds = {};
      for (const [name, value] of Object.entries(message.feeds)) feeds[name] = tensorOf(value);
      let started = performance.now();
      setImmediate(() => {
        started = performance.now();
      });
      const results = await session.run(feeds, message.outputNames, message.runOptions || {});
      const inferMicroseconds = (performance.now() - started) * 1000;
      const outputs = {};
      for (const name of message.outputNames) outputs[name] = plain(results[name]);
      const returned = inputBuffers(message.feeds, outputs);
      try {
        parentPort.postMessage({ id: message.id, outputs, inferMicroseconds, returned }, [...transferables(outputs), ...returned]);
      } catch {
        parentPort.postMessage({ id: message.id, outputs, inferMicroseconds, returned: [] });
      }
    } catch (error) {
      const returned = inputBuffers(message.feeds, {});
      parentPort.postMessage({ id: message.id, error: String(error && error.message ? error.message : error), returned }, returned);
    }
  });
}

main();
`;
