/** How a model's scheduler forms batches and bounds its queue (Triton's knobs, resolved). */
export interface QueuePolicy {
  /**
   * Largest batch (sum of the requests' dimension 0) one execution may take; 1 or less
   * means every request executes alone.
   */
  maxBatchSize: number;
  /** How long the oldest queued request may wait for a fuller batch, in microseconds. */
  maxQueueDelayMicroseconds: number;
  /** Batch sizes worth dispatching at once without waiting out the delay. */
  preferredBatchSizes: number[];
  /** Requests that may wait in the queue; one more gets a 503. */
  maxQueueSize: number;
  /** Queue timeout of a request that names none, in microseconds; 0 = none. */
  defaultTimeoutMicroseconds: number;
  /** Whether a request's `parameters.timeout` replaces the default timeout. */
  allowTimeoutOverride: boolean;
}
