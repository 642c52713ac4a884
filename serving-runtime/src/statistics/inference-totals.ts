/** A cumulative count and duration, as Triton's `StatisticDuration` reports it. */
export interface StatisticDuration {
  /** How many times it occurred. */
  count: number;
  /** Their total duration in nanoseconds. */
  ns: number;
}

/** Cumulative statistics of the executions of one batch size. */
export interface BatchTotals {
  /** Executions of this batch size. */
  count: number;
  /** Nanoseconds preparing inputs, summed over these executions. */
  inputNs: number;
  /** Nanoseconds executing the model. */
  inferNs: number;
  /** Nanoseconds extracting outputs. */
  outputNs: number;
}

function duration(): StatisticDuration {
  return { count: 0, ns: 0 };
}

function add(stat: StatisticDuration, count: number, microseconds: number): void {
  stat.count += count;
  stat.ns += Math.round(microseconds * 1000 * count);
}

/**
 * The cumulative inference statistics of one model version since it loaded, counted as Triton
 * counts them for its statistics extension: requests succeeded and failed with their durations,
 * time in the queue, and each execution's phases charged to every request it carried; per batch
 * size, executions and their phases; inferences (items) and executions; cache hits and misses;
 * the time of the last request.
 */
export class InferenceTotals {
  /** Successful requests (cache hits included) and their end-to-end time. */
  readonly success = duration();
  /** Failed requests and their end-to-end time. */
  readonly fail = duration();
  /** Requests that waited in the queue, and how long. */
  readonly queue = duration();
  /** Requests executed, and the input preparation time of their executions. */
  readonly computeInput = duration();
  /** Requests executed, and the model execution time of their executions. */
  readonly computeInfer = duration();
  /** Requests executed, and the output extraction time of their executions. */
  readonly computeOutput = duration();
  /** Response cache hits and their lookup time. */
  readonly cacheHit = duration();
  /** Response cache misses and their lookup time. */
  readonly cacheMiss = duration();
  /** Executions by batch size. */
  readonly batches = new Map<number, BatchTotals>();
  /** Inferences performed: a batch of n counts n (cache hits excluded). */
  inferenceCount = 0;
  /** Model executions: a batch counts once. */
  executionCount = 0;
  /** When the last request finished, in ms since the epoch; 0 before the first. */
  lastInferenceMs = 0;

  /** Counts a successful request of `microseconds` end to end. */
  succeeded(microseconds: number): void {
    add(this.success, 1, microseconds);
    this.lastInferenceMs = Date.now();
  }

  /** Counts a failed request of `microseconds` end to end. */
  failed(microseconds: number): void {
    add(this.fail, 1, microseconds);
    this.lastInferenceMs = Date.now();
  }

  /** Counts one request's `microseconds` in the queue. */
  queued(microseconds: number): void {
    add(this.queue, 1, microseconds);
  }

  /**
   * Counts one execution of `items` inferences carrying `requests` requests, with the time of
   * each phase in microseconds.
   */
  executed(
    items: number,
    requests: number,
    inputUs: number,
    inferUs: number,
    outputUs: number,
  ): void {
    this.executionCount++;
    this.inferenceCount += items;
    add(this.computeInput, requests, inputUs);
    add(this.computeInfer, requests, inferUs);
    add(this.computeOutput, requests, outputUs);
    let batch = this.batches.get(items);
    if (!batch) {
      batch = { count: 0, inputNs: 0, inferNs: 0, outputNs: 0 };
      this.batches.set(items, batch);
    }
    batch.count++;
    batch.inputNs += Math.round(inputUs * 1000);
    batch.inferNs += Math.round(inferUs * 1000);
    batch.outputNs += Math.round(outputUs * 1000);
  }

  /** Counts a response cache lookup that took `microseconds`. */
  cacheLookup(hit: boolean, microseconds: number): void {
    add(hit ? this.cacheHit : this.cacheMiss, 1, microseconds);
  }
}
