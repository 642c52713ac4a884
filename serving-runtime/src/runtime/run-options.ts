import type { InferenceSession } from "onnxruntime-node";
import type { ExecuteOptions } from "../scheduling/scheduler";

/** onnxruntime's log severity `fatal`: a run at this level logs none of its kernels' errors. */
const FATAL = 4;

/** The onnxruntime run options of an execution. */
export function runOptions(options: ExecuteOptions): InferenceSession.RunOptions {
  return options.quiet ? { logSeverityLevel: FATAL } : {};
}
