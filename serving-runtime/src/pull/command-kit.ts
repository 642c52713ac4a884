/**
 * What the runtime's subcommands (`pull`, `sync`, `profile`) share: reading whole-number flags,
 * and stopping cleanly on SIGINT/SIGTERM.
 */

/** Where a command writes; defaults to the process's streams. */
export interface CommandIo {
  /** The summary. */
  out: (line: string) => void;
  /** Progress and errors. */
  err: (line: string) => void;
}

/** The process's stdout and stderr, a line at a time. */
export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An inclusive range a flag's value must fall in. */
export interface WholeNumberRange {
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. */
  max: number;
}

/**
 * A whole-number flag's value: undefined when the flag is absent; throws naming the flag when
 * the text is not digits only, or (given a range) when the value is outside it.
 *
 * @param flag the flag's name without dashes
 * @param text the text given, if any
 * @param range the values allowed; any whole number when absent
 */
export function wholeNumber(
  flag: string,
  text: string | undefined,
  range?: WholeNumberRange,
): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${flag} "${text}" is not a whole number`);
  const value = Number(text);
  if (range && (value < range.min || value > range.max)) {
    throw new Error(`--${flag} ${value} is out of range; use ${range.min} to ${range.max}`);
  }
  return value;
}

/** A command's hold on SIGINT and SIGTERM while it works. */
export interface Interrupts {
  /** Aborted (with `interrupted by SIGINT` or `… SIGTERM`) when either signal arrives. */
  signal: AbortSignal;
  /** The exit code of an interrupted command (130 for SIGINT, 143 for SIGTERM), else undefined. */
  exitCode(): number | undefined;
  /** Stops listening for the signals; call it once the work is over. */
  release(): void;
}

/**
 * Listens for SIGINT and SIGTERM until released: the first one aborts the returned signal, so the
 * command's work stops and cleans up (a pull removes its staging directory), and the command then
 * exits with the signal's conventional code.
 */
export function catchInterrupts(): Interrupts {
  const controller = new AbortController();
  let code: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    code = signal === "SIGINT" ? 130 : 143;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  return {
    signal: controller.signal,
    exitCode: () => code,
    release() {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
