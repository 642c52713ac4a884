import type * as pulumi from "@pulumi/pulumi";
import { HybridAiConfigError } from "../errors";
import { assertWholeNumber } from "../validate";
import type { CloudFallback, CloudFallbackTrigger } from "./edge-fleet-args";

/** Every condition that may forward a request to the cloud. */
export const CLOUD_FALLBACK_TRIGGERS: readonly CloudFallbackTrigger[] = [
  "timeout",
  "error",
  "overload",
];

/** Where the serving container finds the cloud endpoint's bearer token. */
export const FALLBACK_TOKEN_DIRECTORY = "/var/run/hybridai/fallback";

/** The token's file name (and key in the Secret). */
export const FALLBACK_TOKEN_KEY = "token";

/** Default wait for the cloud's answer. */
export const DEFAULT_FALLBACK_TIMEOUT_MS = 5000;

/** The `fallback` block of a model's `config.json` that sends requests to a remote endpoint. */
export interface RemoteFallbackConfig {
  /** Base URL of the remote Open Inference Protocol endpoint. */
  url: pulumi.Input<string>;
  /** File holding the bearer token, when the endpoint needs one. */
  token_file?: string;
  /** Milliseconds to wait for the remote answer. */
  timeout_ms: number;
  /** Conditions that forward a request. */
  on: CloudFallbackTrigger[];
}

/**
 * Checks a {@link CloudFallback} and turns it into the runtime's `fallback` block. Throws
 * {@link HybridAiConfigError} for a URL that is not `http(s)://`, a timeout out of range, or
 * an empty, unknown or repeated trigger.
 */
export function planCloudFallback(
  component: string,
  fallback: CloudFallback,
): RemoteFallbackConfig {
  const { url } = fallback;
  if (
    url === undefined ||
    url === null ||
    (typeof url === "string" && !/^https?:\/\/[^/\s]+/.test(url))
  ) {
    throw new HybridAiConfigError(
      component,
      "cloudFallback.url",
      url,
      "the base URL of an Open Inference Protocol endpoint, https://host[:port][/path]",
    );
  }
  const timeoutMs = fallback.timeoutMs ?? DEFAULT_FALLBACK_TIMEOUT_MS;
  assertWholeNumber(component, "cloudFallback.timeoutMs", timeoutMs, 1, 600_000);
  const on = fallback.on ?? [...CLOUD_FALLBACK_TRIGGERS];
  const unknown = on.filter((t) => !CLOUD_FALLBACK_TRIGGERS.includes(t));
  if (
    !Array.isArray(on) ||
    on.length === 0 ||
    unknown.length > 0 ||
    new Set(on).size !== on.length
  ) {
    throw new HybridAiConfigError(
      component,
      "cloudFallback.on",
      on,
      `a non-empty list of distinct conditions from: ${CLOUD_FALLBACK_TRIGGERS.join(", ")}`,
    );
  }
  return {
    url,
    ...(fallback.tokenSecret !== undefined
      ? { token_file: `${FALLBACK_TOKEN_DIRECTORY}/${FALLBACK_TOKEN_KEY}` }
      : {}),
    timeout_ms: timeoutMs,
    on: [...on],
  };
}

/**
 * The program the `model-config` init container runs with `node -e`: it sets keys of the
 * pulled model's `config.json` (created when the store has none) from a JSON object given as the
 * first argument, writing the file given as the second through a rename, so the serving
 * container never reads a half-written file. Other keys of the store's config are kept.
 */
export const MERGE_MODEL_CONFIG_SCRIPT = [
  'const fs = require("node:fs");',
  "const [overlay, target] = process.argv.slice(1);",
  "let config = {};",
  'try { config = JSON.parse(fs.readFileSync(target, "utf8")); }',
  'catch (error) { if (error.code !== "ENOENT") throw error; }',
  'if (config === null || typeof config !== "object" || Array.isArray(config))',
  '  throw new Error(target + " does not hold a JSON object");',
  "Object.assign(config, JSON.parse(overlay));",
  'fs.writeFileSync(target + ".tmp", JSON.stringify(config, null, 2) + "\\n");',
  'fs.renameSync(target + ".tmp", target);',
].join("\n");
