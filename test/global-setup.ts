import { ensureRuntimeBuilt } from "./serving-runtime/helpers/runtime-build";

// Runs once per vitest run, in the main process, before any test file: builds what tests spawn
// as compiled code (the serving runtime's CLI) when it is older than its sources.
export async function setup(): Promise<void> {
  await ensureRuntimeBuilt();
}
