import { settle } from "pulumi-hybridai/testing";
import { expect } from "vitest";
import { restartMocks } from "../../../components/testing/mocks";

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `program` in a fresh mocks runtime (records cleared, nothing an earlier run left pending)
 * and returns the messages of the errors it raises after construction, in order, without
 * repeats; `[]` when every registration settles. An input that fails while Pulumi serializes it
 * (a check on a value the cloud reports, such as an existing cluster's access mode) rejects that
 * resource's registration, which the Pulumi CLI reports as the program's failure; resources
 * waiting on it never register (under the mocks they stay pending, so this waits for the first
 * error rather than for every registration). Vitest's own unhandled-rejection listeners are set
 * aside for the run and restored after it.
 */
export async function runCollectingErrors(program: () => void): Promise<string[]> {
  restartMocks({});
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const seen: string[] = [];
  let failed: () => void = () => undefined;
  const firstError = new Promise<void>((resolve) => {
    failed = resolve;
  });
  process.on("unhandledRejection", (error) => {
    const message = error instanceof Error ? error.message : String(error);
    if (!seen.includes(message)) seen.push(message);
    failed();
  });
  try {
    program();
    await Promise.race([settle(), firstError]);
    // Node reports a rejection nobody handled after the turn it happened in.
    for (let turn = 0; turn < 3; turn++) await nextMacrotask();
  } finally {
    process.removeAllListeners("unhandledRejection");
    for (const listener of saved) process.on("unhandledRejection", listener);
  }
  return seen;
}

/** How Pulumi reports an input that failed to resolve, once per enclosing property. */
const SERIALIZING = /^(error serializing property "\w+": )+/;

/**
 * Checks that a run failed, and only with exactly `message`, as Pulumi reports an input that
 * failed to resolve: `error serializing property "<input>": <message>` (wrapped once more when a
 * component registers the same output).
 */
export function expectFailedWith(errors: string[], message: string): void {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error).toMatch(SERIALIZING);
    expect(error.replace(SERIALIZING, "")).toBe(message);
  }
}
