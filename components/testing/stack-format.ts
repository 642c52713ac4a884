/** `Error` with the V8 hook test runners replace to format stacks their own way. */
const errorClass = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };

/**
 * Runs `run` with stacks formatted by Node itself: source-mapped through the maps the
 * TypeScript loader registered (tsx inlines one in every file it compiles). Test runners install
 * their own `Error.prepareStackTrace`, which knows only the files they transformed themselves, so
 * a program's frames would otherwise point into tsx's output: in Pulumi's record of where each
 * resource was created, and in the program's own errors.
 */
export async function withNodeStackFormat<T>(run: () => Promise<T>): Promise<T> {
  const runnerFormat = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    return await run();
  } finally {
    errorClass.prepareStackTrace = runnerFormat;
  }
}

/** An error's stack as Node formats it (see {@link withNodeStackFormat}), when still unformatted. */
export function nodeFormattedStack(error: Error): string {
  const runnerFormat = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    return String(error.stack ?? `${error.name}: ${error.message}`);
  } finally {
    errorClass.prepareStackTrace = runnerFormat;
  }
}
