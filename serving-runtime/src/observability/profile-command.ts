import { parseArgs } from "node:util";
import { type CommandIo, processIo, wholeNumber } from "../pull/command-kit";
import { BASELINE_FILE } from "./baseline";
import { DEFAULT_BINS } from "./baseline-builder";
import { profileModel } from "./profile";

/** Most requests `hybridai-serve profile` reads when `--limit` is not given. */
export const DEFAULT_PROFILE_LIMIT = 100_000;

/** Usage text of `hybridai-serve profile`. */
export const PROFILE_USAGE = `Usage: hybridai-serve profile --model-repository DIR --model M --data FILE
                              [--version V] [--bins N] [--limit N]

Computes a baseline of each input of a model version from sample requests and writes it beside
the model as <DIR>/<M>/<version>/${BASELINE_FILE}; the server then exports the inputs' drift
against it (hybridai_input_drift_psi).
  --model-repository  the model repository the server serves
  --model             model name
  --data              JSON lines, one inference request a line (the body of POST …/infer)
  --version           version to profile (default: the highest the model's config selects)
  --bins              quantile bins per feature, 2 to 100 (default ${DEFAULT_BINS})
  --limit             most requests read from --data (default ${DEFAULT_PROFILE_LIMIT})
Numeric inputs whose rows have at most 256 elements are profiled feature by feature; other
numeric inputs by sampled element values, BYTES inputs by element lengths.`;

/** Where the command writes; defaults to the process's streams. */
export type ProfileIo = CommandIo;

/**
 * Runs `hybridai-serve profile` with the arguments after `profile` and returns the exit code: 0
 * when the baseline was written, 2 for bad arguments, 1 when profiling failed (the model does
 * not load, a request is refused, too few rows).
 */
export async function runProfileCommand(
  argv: string[],
  io: ProfileIo = processIo,
): Promise<number> {
  let options: Parameters<typeof profileModel>[0];
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        "model-repository": { type: "string" },
        model: { type: "string" },
        data: { type: "string" },
        version: { type: "string" },
        bins: { type: "string" },
        limit: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.out(PROFILE_USAGE);
      return 0;
    }
    for (const flag of ["model-repository", "model", "data"] as const) {
      if (!values[flag]) throw new Error(`--${flag} is required`);
    }
    if (values.version !== undefined && !/^\d+$/.test(values.version)) {
      throw new Error(`--version '${values.version}': versions are numbers, e.g. 1`);
    }
    options = {
      repository: values["model-repository"] as string,
      model: values.model as string,
      data: values.data as string,
      version: values.version === undefined ? undefined : String(Number(values.version)),
      bins: wholeNumber("bins", values.bins, { min: 2, max: 100 }) ?? DEFAULT_BINS,
      limit:
        wholeNumber("limit", values.limit, { min: 1, max: 100_000_000 }) ?? DEFAULT_PROFILE_LIMIT,
    };
  } catch (error) {
    io.err(`hybridai-serve profile: ${(error as Error).message}\n\n${PROFILE_USAGE}`);
    return 2;
  }
  try {
    const { file, profile, truncated } = await profileModel(options);
    const inputs = profile.inputs
      .map((input) =>
        input.kind === "features"
          ? `${input.name} (${input.rowLength} features)`
          : `${input.name} (${input.kind})`,
      )
      .join(", ");
    io.out(
      `hybridai-serve profile: ${profile.source.requests} requests, ${profile.source.rows} rows of model '${profile.model}' version ${profile.version}: ${inputs}; wrote ${file}`,
    );
    if (truncated) {
      io.err(`hybridai-serve profile: read the first ${options.limit} requests only (--limit)`);
    }
    return 0;
  } catch (error) {
    io.err(`hybridai-serve profile: failed: ${(error as Error).message}`);
    return 1;
  }
}
