import { curlExample } from "./curl-example";
import type { ModelControlMode } from "./options";
import type { ModelSignature } from "./protocol/tensor-spec";
import type { IndexEntry } from "./repository/model-repository";

/** What the startup banner reports. */
export interface BannerInput {
  /** The server's base URL. */
  url: string;
  /** The highest ready version of each ready model, sorted by name. */
  ready: readonly ModelSignature[];
  /** The repository index (`POST /v2/repository/index` rows), ready and not. */
  index: readonly IndexEntry[];
  /** Whether readiness waits for every model (`--strict-readiness`). */
  strictReadiness: boolean;
  /** `host:port` of the gRPC side, when it is on (`--grpc-port`). */
  grpcAddress?: string;
  /**
   * `--model-control-mode`, which decides how a model that failed is loaded once fixed: a load
   * request (`explicit`), the next repository read (`poll`) or a restart (`none`). Default
   * `explicit`'s advice.
   */
  modelControlMode?: ModelControlMode;
  /** How to start this CLI again, for the `example` command (default `hybridai-serve`). */
  command?: string;
}

/** How a model that failed to load gets loaded once its files are fixed, by model control mode. */
const RELOAD_ADVICE: Record<ModelControlMode, string> = {
  explicit: "fix them, then POST /v2/repository/models/<name>/load",
  poll: "fix them in the repository; the server polls it and loads them",
  none: "fix them, then restart the server (--model-control-mode none)",
};

/**
 * The text `hybridai-serve` prints once it has loaded the repository: where it listens (HTTP, and
 * gRPC when it is on), the
 * ready models, every model that is not ready with its state and reason (one a line), what that
 * does to readiness, and a one-line command that sends the first ready model an inference:
 * a `curl` with the request inline when it is short, else `example` piped to `curl`.
 */
export function startupBanner({
  url,
  ready,
  index,
  strictReadiness,
  grpcAddress,
  modelControlMode = "explicit",
  command,
}: BannerInput): string {
  const readyNames = new Set(ready.map((model) => model.name));
  const failed = index.filter((row) => row.state !== "READY" && !readyNames.has(row.name));
  const lines = [`hybridai-serve listening on ${url}`];
  if (grpcAddress) lines.push(`gRPC (inference.GRPCInferenceService) on ${grpcAddress}`);
  if (ready.length > 0) {
    lines.push(`Models ready: ${ready.map((m) => `${m.name} (v${m.version})`).join(", ")}`);
  }
  if (failed.length > 0) {
    lines.push(
      `Models not ready (${
        strictReadiness
          ? `${url}/v2/health/ready answers 503 until every model loads`
          : "readiness ignores them: --strict-readiness is off"
      }; ${RELOAD_ADVICE[modelControlMode]}):`,
      ...failed.map((row) => `  ${row.name}: ${row.state}: ${oneLine(row.reason)}`),
    );
  }
  if (ready.length === 0) {
    lines.push("No model is ready; see the log above and POST /v2/repository/index.");
  } else {
    lines.push("Try an inference:", `  ${curlExample(url, ready[0], command)}`);
  }
  return `\n${lines.join("\n")}\n\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim() || "no reason given";
}
