/** A problem with the command line, a config file or the program: the check exits with 2. */
export class CheckInputError extends Error {
  /**
   * @param message what is wrong, for stderr and the machine-readable reports
   * @param cause the program's own error, when the program failed
   */
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "CheckInputError";
  }
}
