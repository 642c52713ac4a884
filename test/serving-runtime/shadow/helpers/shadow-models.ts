import { Writable } from "node:stream";
import { type DemoModel, mlpDemo } from "@hybridai/serving-runtime/src/modelgen/demo-models";
import type { ServerOptions } from "@hybridai/serving-runtime/src/options";
import { type RunningServer, startServer } from "@hybridai/serving-runtime/src/server";
import pino from "pino";

/** The demo classifier (`features` [batch, 4] → `probabilities` [batch, 3]) under another name and config. */
export function classifier(name: string, config: Record<string, unknown>): DemoModel {
  const demo = mlpDemo();
  return { name, graph: { ...demo.graph, name }, config: { ...demo.config, ...config } };
}

/**
 * The demo classifier with its last bias moved: class 2's logit gains `shift`, so its
 * probabilities differ from the original's for every input (and its top-1 class often does).
 */
export function shiftedClassifier(name: string, shift: number): DemoModel {
  const model = classifier(name, {});
  const initializers = (model.graph.initializers ?? []).map((initializer) =>
    initializer.name === "b2"
      ? {
          ...initializer,
          values: Float32Array.from(initializer.values, (value, i) =>
            i === 2 ? value + shift : value,
          ),
        }
      : initializer,
  );
  return { ...model, graph: { ...model.graph, initializers } };
}

/**
 * `name`: a, b FP32 [n, 2] → sum, product, a_negated; `drifted` computes a − b, a + b and a
 * instead, so all three outputs differ from the original's.
 */
export function threeOutputs(
  name: string,
  drifted: boolean,
  config: Record<string, unknown>,
): DemoModel {
  const t = (tensor: string) => ({ name: tensor, datatype: "FP32" as const, shape: ["n", 2] });
  return {
    name,
    graph: {
      name,
      inputs: [t("a"), t("b")],
      outputs: [t("sum"), t("product"), t("a_negated")],
      nodes: drifted
        ? [
            { op: "Sub", inputs: ["a", "b"], outputs: ["sum"] },
            { op: "Add", inputs: ["a", "b"], outputs: ["product"] },
            { op: "Identity", inputs: ["a"], outputs: ["a_negated"] },
          ]
        : [
            { op: "Add", inputs: ["a", "b"], outputs: ["sum"] },
            { op: "Mul", inputs: ["a", "b"], outputs: ["product"] },
            { op: "Neg", inputs: ["a"], outputs: ["a_negated"] },
          ],
    },
    config,
  };
}

/** The JSON log lines a server wrote, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions check the log lines' shape
export type LogLine = Record<string, any>;

/** Starts an in-process server on a loopback port whose warn-level log lines are collected. */
export async function startLoggedServer(
  modelRepository: string,
  overrides: Partial<ServerOptions> = {},
): Promise<{ server: RunningServer; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  let pending = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") logs.push(JSON.parse(line));
      done();
    },
  });
  const server = await startServer(
    {
      modelRepository,
      host: "127.0.0.1",
      port: 0,
      grpcPort: 0,
      bodyLimitBytes: 1024 * 1024,
      drainTimeoutSeconds: 5,
      drainGraceSeconds: 0,
      defaultMaxBatchSize: 4,
      inlineThresholdMicroseconds: 100,
      interOpThreads: 1,
      intraOpThreads: 1,
      maxQueueSize: 64,
      cacheSizeBytes: 1024 * 1024,
      strictReadiness: false,
      logLevel: "warn",
      modelControlMode: "none",
      repositoryPollSeconds: 15,
      metricsClientLabels: false,
      requestTimeoutSeconds: 60,
      ...overrides,
    },
    pino({ level: "warn" }, sink),
  );
  return { server, logs };
}

/** The `hybridai_shadow_*` lines of a server's `/metrics`. */
export async function shadowMetricLines(baseUrl: string): Promise<string[]> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text.split("\n").filter((line) => line.startsWith("hybridai_shadow_"));
}
