import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { ChildServer } from "./child-server";
import { type BenchModel, writeRepository } from "./models";
import { inferPayload } from "./payloads";
import { median } from "./stats";

/** One model: the server's CPU per request of each contender, and its ratio to tracing off. */
export interface TracingOverheadModel {
  /** Model name. */
  model: string;
  /** Median over rounds of server CPU microseconds per request, by contender. */
  cpuUsPerRequest: Record<string, number>;
  /** Each contender's median over the median of `off`. */
  ratios: Record<string, number>;
  /** Every round's CPU µs per request, by contender, in the order measured. */
  rounds: Record<string, number>[];
}

/** The tracing overhead phase. */
export interface TracingOverhead {
  /** Each model measured. */
  models: TracingOverheadModel[];
  /** Requests each contender served per round. */
  requestsPerRound: Readonly<Record<string, number>>;
  /** Concurrent clients. */
  connections: number;
  /** OTLP export requests the local sink received, by contender (evidence tracing was on). */
  exportsReceived: Record<string, number>;
}

/** What the phase needs. */
export interface TracingSetup {
  /** Scratch directory. */
  dir: string;
  /** The models. */
  models: BenchModel[];
  /** Starts our server on a repository with extra flags. */
  start: (repository: string, extra: string[]) => Promise<ChildServer>;
  /**
   * Requests per contender per round, by model name: enough that a round holds hundreds of the
   * 10 ms ticks `/proc` counts CPU in (a round of 2,000 MLP requests held about 60).
   */
  requests: Readonly<Record<string, number>>;
  /** Requests each server answers for a model before the rounds (JIT and caches warm). */
  warmup: number;
  /** Concurrent clients. */
  connections: number;
  /** Alternating rounds. */
  rounds: number;
}

const CONTENDERS = [
  { name: "off", flags: [] as string[] },
  { name: "sampled 0.01", flags: ["--trace-sample-rate", "0.01"] },
  { name: "sampled 1", flags: ["--trace-sample-rate", "1"] },
];

/** A collector stand-in: accepts OTLP/HTTP exports and counts them. */
async function startSink(): Promise<{
  url: string;
  exports: () => number;
  close(): Promise<void>;
}> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Sends `count` requests from `connections` clients; throws on any non-200 answer. */
async function drive(server: ChildServer, model: BenchModel, count: number, connections: number) {
  const payload = inferPayload(model, "json");
  let next = 0;
  const client = async () => {
    while (next < count) {
      next++;
      const response = await fetch(server.url + payload.path, {
        method: "POST",
        headers: payload.headers,
        body: payload.body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${model.name}: answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
}

/**
 * Tracing's cost: the same models served by three servers — tracing off, on with sampling 0.01,
 * on with sampling 1 (every request's spans exported over OTLP/HTTP protobuf to a local sink) —
 * measured as server CPU time per request (`/proc/<pid>/stat`, user + system, the span export
 * included), in alternating rounds of a fixed number of requests. CPU per request is what
 * tracing adds; unlike throughput it does not move with the other processes on the machine.
 * @throws Error when a server does not start or answers anything but 200.
 */
export async function measureTracingOverhead(setup: TracingSetup): Promise<TracingOverhead> {
  const repository = path.join(setup.dir, "tracing");
  writeRepository(
    repository,
    setup.models.map((model) => ({ model })),
  );
  process.env.OTEL_BSP_SCHEDULE_DELAY = "200";
  const sinks = new Map<string, Awaited<ReturnType<typeof startSink>>>();
  const servers = new Map<string, ChildServer>();
  try {
    for (const contender of CONTENDERS) {
      const sink = await startSink();
      sinks.set(contender.name, sink);
      const flags =
        contender.flags.length === 0
          ? []
          : ["--trace-endpoint", sink.url, "--trace-service-name", "bench", ...contender.flags];
      servers.set(contender.name, await setup.start(repository, flags));
    }
    const models: TracingOverheadModel[] = [];
    for (const model of setup.models) {
      console.log(
        `  ${model.name} json c=${setup.connections}: ${CONTENDERS.map((c) => c.name).join(" vs ")}`,
      );
      const requests = setup.requests[model.name];
      if (!requests) throw new Error(`tracing: no request count for model ${model.name}`);
      for (const contender of CONTENDERS) {
        const server = servers.get(contender.name) as ChildServer;
        await drive(server, model, setup.warmup, setup.connections);
      }
      const rounds: Record<string, number>[] = [];
      for (let round = 0; round < setup.rounds; round++) {
        const figures: Record<string, number> = {};
        const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
        for (const contender of order) {
          const server = servers.get(contender.name) as ChildServer;
          const before = server.cpuSeconds();
          await drive(server, model, requests, setup.connections);
          // Spans are exported every 200 ms (OTEL_BSP_SCHEDULE_DELAY, set below) or per 512
          // spans, so nearly all of a round's export work falls inside the round.
          figures[contender.name] = ((server.cpuSeconds() - before) * 1e6) / requests;
        }
        rounds.push(figures);
      }
      const medians = Object.fromEntries(
        CONTENDERS.map((c) => [c.name, median(rounds.map((r) => r[c.name]))]),
      );
      models.push({
        model: model.name,
        cpuUsPerRequest: medians,
        ratios: Object.fromEntries(
          CONTENDERS.filter((c) => c.name !== "off").map((c) => [
            c.name,
            medians[c.name] / medians.off,
          ]),
        ),
        rounds,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const exportsReceived = Object.fromEntries(
      CONTENDERS.map((c) => [c.name, (sinks.get(c.name) as { exports: () => number }).exports()]),
    );
    if (exportsReceived["sampled 1"] === 0) {
      throw new Error("the sampled-1 server exported nothing: tracing was not on");
    }
    return {
      models,
      requestsPerRound: setup.requests,
      connections: setup.connections,
      exportsReceived,
    };
  } finally {
    for (const server of servers.values()) await server.stop();
    for (const sink of sinks.values()) await sink.close();
  }
}
