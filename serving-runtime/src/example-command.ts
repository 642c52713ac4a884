import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { exampleRequest } from "./curl-example";
import type { TensorSpec } from "./protocol/tensor-spec";

/** The server `hybridai-serve example` asks when `--url` is not given. */
export const DEFAULT_EXAMPLE_URL = "http://127.0.0.1:8000";

/** Usage text of `hybridai-serve example`. */
export const EXAMPLE_USAGE = `Usage: hybridai-serve example MODEL [--url URL] [--version V] [--auth-token-file FILE]

Prints a shape-correct JSON inference request for MODEL, built from its metadata on a running
server (every input, dynamic dimensions as 1, simple sample values), ready to pipe to curl:
  hybridai-serve example MODEL | curl -s -X POST ${DEFAULT_EXAMPLE_URL}/v2/models/MODEL/infer \\
    -H 'Content-Type: application/json' --data-binary @-
  --url              the server's base URL (default ${DEFAULT_EXAMPLE_URL})
  --version          the model version (default: the one the server answers for MODEL)
  --auth-token-file  file with the bearer token, when the server requires one`;

/** Where the command writes; defaults to the process's streams. */
export interface ExampleIo {
  /** The request body. */
  out: (text: string) => void;
  /** Errors. */
  err: (text: string) => void;
}

const defaultIo: ExampleIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

interface ExampleOptions {
  model: string;
  url: string;
  version?: string;
  tokenFile?: string;
}

function parseExampleArgs(argv: string[]): ExampleOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: "string", default: DEFAULT_EXAMPLE_URL },
      version: { type: "string" },
      "auth-token-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  if (positionals.length !== 1) throw new Error("give exactly one MODEL");
  if (values.version !== undefined && !/^\d+$/.test(values.version)) {
    throw new Error(`--version '${values.version}': versions are numbers, e.g. 1`);
  }
  let url: URL;
  try {
    url = new URL(values.url as string);
  } catch {
    throw new Error(`--url '${values.url}' is not a URL, e.g. ${DEFAULT_EXAMPLE_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`--url '${values.url}': http or https only`);
  }
  return {
    model: positionals[0],
    url: url.href.replace(/\/+$/, ""),
    ...(values.version !== undefined ? { version: values.version } : {}),
    ...(values["auth-token-file"] !== undefined ? { tokenFile: values["auth-token-file"] } : {}),
  };
}

/** The model's inputs from the server's metadata endpoint; throws with the server's reason. */
async function modelInputs(options: ExampleOptions): Promise<TensorSpec[]> {
  const version = options.version ? `/versions/${options.version}` : "";
  const target = `${options.url}/v2/models/${encodeURIComponent(options.model)}${version}`;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.tokenFile) {
    headers.authorization = `Bearer ${(await readFile(options.tokenFile, "utf8")).trim()}`;
  }
  let response: Response;
  try {
    response = await fetch(target, { headers });
  } catch (error) {
    throw new Error(
      `cannot reach ${options.url}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string; inputs?: unknown };
  if (!response.ok) {
    throw new Error(
      `GET ${target} answered ${response.status}: ${body.error ?? "no reason given"}`,
    );
  }
  if (!Array.isArray(body.inputs)) throw new Error(`GET ${target}: the metadata has no inputs`);
  return body.inputs as TensorSpec[];
}

/**
 * Runs `hybridai-serve example` with the arguments after `example` and returns the exit code: 0
 * when the request was printed, 2 for bad arguments, 1 when the server could not say (down,
 * unknown model, refused token).
 */
export async function runExampleCommand(
  argv: string[],
  io: ExampleIo = defaultIo,
): Promise<number> {
  let options: ExampleOptions | "help";
  try {
    options = parseExampleArgs(argv);
  } catch (error) {
    io.err(`hybridai-serve example: ${(error as Error).message}\n\n${EXAMPLE_USAGE}\n`);
    return 2;
  }
  if (options === "help") {
    io.out(`${EXAMPLE_USAGE}\n`);
    return 0;
  }
  try {
    io.out(`${JSON.stringify(exampleRequest(await modelInputs(options)))}\n`);
    return 0;
  } catch (error) {
    io.err(`hybridai-serve example: ${(error as Error).message}\n`);
    return 1;
  }
}
