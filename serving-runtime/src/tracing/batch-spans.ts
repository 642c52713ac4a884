import type { Link, Span } from "@opentelemetry/api";
import { ATTR, SPAN } from "./attributes";
import { type RequestTrace, recordFailure } from "./request-trace";

/** A queued request as the batch spans see it. */
export interface TracedJob {
  /** The request's trace; absent with tracing off. */
  trace?: RequestTrace;
  /** When it entered the queue (`performance.now()`), for sampled requests. */
  queuedAt?: number;
}

/** Where an execution runs: on the event loop, or in a worker thread. */
export type Placement = "inline" | "worker";

/**
 * The spans of one execution of a (possibly batched) set of requests. Each sampled request gets
 * its `queue wait` span (from entering the queue to the execution's start). One `batch` span
 * (its size in items and requests) is a child of the first sampled request and links to every
 * other request that shared it; its `execute` child says which instance ran it and where. The
 * other requests' queue-wait spans link to the batch span, so each trace leads to the execution.
 */
export class BatchSpans {
  private constructor(
    private readonly batch: Span,
    private readonly execute: Span,
  ) {}

  /**
   * Starts the spans as an execution starts; undefined (and nothing allocated) when no request
   * of the batch is sampled.
   *
   * @param jobs the requests of the batch
   * @param items the batch size in items (dimension 0)
   * @param instance the index of the instance that runs it
   * @param placement where it runs
   */
  static start(
    jobs: readonly TracedJob[],
    items: number,
    instance: number,
    placement: Placement | undefined,
  ): BatchSpans | undefined {
    let owner: RequestTrace | undefined;
    for (const job of jobs) {
      if (job.trace?.recording) {
        owner = job.trace;
        break;
      }
    }
    if (!owner) return undefined;
    const now = performance.now();
    const links: Link[] = [];
    for (const job of jobs) {
      if (job.trace && job.trace !== owner) links.push({ context: job.trace.span.spanContext() });
    }
    const batch = owner.child(
      SPAN.batch,
      { [ATTR.batchSize]: items, [ATTR.batchRequests]: jobs.length },
      now,
      links,
    ) as Span;
    const execute = owner.nested(batch, SPAN.execute, {
      [ATTR.instance]: instance,
      ...(placement ? { [ATTR.placement]: placement } : {}),
    });
    const toBatch: Link[] = [{ context: batch.spanContext() }];
    for (const job of jobs) {
      const trace = job.trace;
      if (!trace || job.queuedAt === undefined) continue;
      trace
        .child(SPAN.queue, undefined, job.queuedAt, trace === owner ? undefined : toBatch)
        ?.end(now);
    }
    return new BatchSpans(batch, execute);
  }

  /**
   * Ends the spans once the execution has ended.
   *
   * @param error the message the requests got, when it failed
   */
  end(error?: string): void {
    if (error !== undefined) {
      recordFailure(this.execute, error);
      recordFailure(this.batch, error);
    }
    this.execute.end();
    this.batch.end();
  }
}
