import { runCheck } from "./run";

const USAGE = `Usage: hybridai <command> [options]

Commands:
  check   run a Pulumi program under mocks, evaluate the policy packs, estimate cost
          (hybridai check --help for its options)`;

/** The `hybridai` command line: dispatches to its subcommands; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    out: (text: string) => process.stdout.write(text),
    err: (text: string) => process.stderr.write(text),
  };
  if (command === "check") return runCheck(rest, io);
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`hybridai: unknown command "${command}"\n\n${USAGE}\n`);
  return 2;
}
