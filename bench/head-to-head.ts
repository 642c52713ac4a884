import type { ChildServer } from "./child-server";
import { type LoadPoint, measureLoad } from "./load";
import type { InferPayload } from "./payloads";
import { median } from "./stats";

/** One contender of a head-to-head comparison. */
export interface Contender {
  /** Name in the results. */
  name: string;
  /** Its server. */
  server: ChildServer;
  /** The request it answers. */
  payload: InferPayload;
  /** Model whose `/metrics` counters to read, if the server has them. */
  metricsModel?: string;
}

/** Rounds of a head-to-head comparison and each contender's median items/s. */
export interface HeadToHead {
  /** Concurrency of every point. */
  connections: number;
  /** Each round's point per contender, measured one after another. */
  rounds: Record<string, LoadPoint>[];
  /** Median items/s per contender over the rounds. */
  medianItemsPerSecond: Record<string, number>;
}

/**
 * Measures several servers at one concurrency in alternating rounds (A, B, C, A, B, C …), so
 * that whatever else the machine does at the time weighs on all of them alike; the medians are
 * what targets compare.
 * @param contenders The servers and requests, all running.
 * @param connections Concurrency.
 * @param rounds How many rounds.
 */
export async function measureHeadToHead(
  contenders: Contender[],
  connections: number,
  rounds: number,
  seconds: number,
  warmupSeconds: number,
): Promise<HeadToHead> {
  const results: Record<string, LoadPoint>[] = [];
  for (let round = 0; round < rounds; round++) {
    const points: Record<string, LoadPoint> = {};
    for (const contender of contenders) {
      points[contender.name] = await measureLoad(
        contender.server,
        contender.payload,
        connections,
        seconds,
        warmupSeconds,
        contender.metricsModel,
      );
    }
    results.push(points);
    console.log(
      `  head to head c=${connections} round ${round + 1}: ` +
        contenders.map((c) => `${c.name} ${points[c.name].itemsPerSecond.toFixed(0)}`).join(", "),
    );
  }
  const medianItemsPerSecond = Object.fromEntries(
    contenders.map((c) => [c.name, median(results.map((r) => r[c.name].itemsPerSecond))]),
  );
  return { connections, rounds: results, medianItemsPerSecond };
}
