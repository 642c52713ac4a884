/** A problem with the command line, a config file or the program: the check exits with 2. */
export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckInputError";
  }
}
