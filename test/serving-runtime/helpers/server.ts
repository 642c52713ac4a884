import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServerOptions } from "@hybridai/serving-runtime/src/options";
import { type RunningServer, startServer } from "@hybridai/serving-runtime/src/server";
import pino, { type Logger } from "pino";

/**
 * Starts an in-process server on an ephemeral loopback port with a silent logger (unless the test
 * gives its own); gRPC is off unless `overrides.grpcPort` names a port.
 */
export function startTestServer(
  modelRepository: string,
  overrides: Partial<ServerOptions> = {},
  logger: Logger = pino({ level: "silent" }),
): Promise<RunningServer> {
  return startServer(
    {
      modelRepository,
      host: "127.0.0.1",
      port: 0,
      grpcPort: 0,
      bodyLimitBytes: 1024 * 1024,
      drainTimeoutSeconds: 5,
      drainGraceSeconds: 0,
      defaultMaxBatchSize: "auto",
      inlineThresholdMicroseconds: 100,
      interOpThreads: 1,
      intraOpThreads: 1,
      maxQueueSize: 64,
      cacheSizeBytes: 1024 * 1024,
      strictReadiness: true,
      logLevel: "silent",
      modelControlMode: "none",
      repositoryPollSeconds: 15,
      metricsClientLabels: false,
      requestTimeoutSeconds: 60,
      ...overrides,
    },
    logger,
  );
}

/** A parsed JSON response body; tests check its shape with assertions. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions themselves check response shapes
export type Json = any;

/** GETs a URL and parses its JSON body. */
export async function getJson(url: string): Promise<Json> {
  return (await fetch(url)).json();
}

/** POSTs a JSON value and returns status, parsed body and headers. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

/** Reads one sample of a Prometheus metric with the given labels, 0 when absent. */
export async function metricValue(
  baseUrl: string,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelPart = line.slice(name.length + 1, line.indexOf("}"));
    if (wanted.every((pair) => labelPart.split(",").includes(pair))) {
      return Number(line.slice(line.indexOf("}") + 1).trim());
    }
  }
  return 0;
}

/** Polls `read` until it returns `expected` or `timeoutMs` passes; returns the last value read. */
export async function waitForValue<T>(
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

/** The options and request headers of a server whose repository API is open to a token holder. */
export interface ModelControlAccess {
  /** `--model-control-mode explicit` with `--repository-auth-token-file`. */
  options: Partial<ServerOptions>;
  /** `Authorization: Bearer <repository token>`, for load and unload requests. */
  headers: Record<string, string>;
}

/**
 * Turns on the repository API as a test that loads and unloads models needs it:
 * `--model-control-mode explicit` (off by default) with a repository token in a fresh file.
 *
 * @param token the repository token
 */
export async function explicitModelControl(
  token = "repository-token",
): Promise<ModelControlAccess> {
  const directory = await mkdtemp(path.join(tmpdir(), "hybridai-control-"));
  const file = path.join(directory, "repository-token");
  await writeFile(file, token);
  return {
    options: { modelControlMode: "explicit", repositoryAuthTokenFile: file },
    headers: { authorization: `Bearer ${token}` },
  };
}
