import type { ResponseCacheKey } from "./cache-key";

export { type CacheKeyTensor, type ResponseCacheKey, responseCacheKey } from "./cache-key";

/** Hit, miss and eviction counts, for the whole cache or one model. */
export interface CacheCounters {
  /** Lookups that found an entry (Triton: `nv_cache_num_hits_per_model`). */
  hits: number;
  /** Lookups that found nothing (Triton: `nv_cache_num_misses_per_model`). */
  misses: number;
  /** Entries removed to make room for newer ones. */
  evictions: number;
  /** Entries stored. */
  insertions: number;
  /** Entries refused because they alone exceed the byte budget. */
  rejections: number;
}

/** Counters plus the current size of the cache. */
export interface CacheStats extends CacheCounters {
  /** Entries held. */
  entries: number;
  /** Bytes held (sum of entry sizes). */
  bytes: number;
  /** Byte budget. */
  maxBytes: number;
}

/** Options of a {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Byte budget: the sum of entry sizes never exceeds it. A positive integer. */
  maxBytes: number;
}

interface Entry<V> {
  key: ResponseCacheKey;
  value: V;
  bytes: number;
}

function emptyCounters(): CacheCounters {
  return { hits: 0, misses: 0, evictions: 0, insertions: 0, rejections: 0 };
}

/**
 * A least-recently-used cache of inference responses, bounded in bytes and shared by the models
 * that enable caching (as Triton's response cache). An entry's size is its key's bytes plus the
 * value size estimated by the caller; storing evicts the least recently used entries until the
 * new one fits, and an entry larger than the whole budget is refused.
 *
 * @typeParam V The cached value, e.g. the output tensors of a response.
 */
export class ResponseCache<V> {
  /** Byte budget. */
  readonly maxBytes: number;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly totals = emptyCounters();
  private readonly perModel = new Map<string, CacheCounters>();
  private bytes = 0;

  /**
   * @param options The byte budget.
   * @throws RangeError when `maxBytes` is not a positive integer.
   */
  constructor(options: ResponseCacheOptions) {
    if (!Number.isInteger(options.maxBytes) || options.maxBytes <= 0) {
      throw new RangeError(
        `response cache maxBytes = ${options.maxBytes} is invalid: must be a positive whole number of bytes`,
      );
    }
    this.maxBytes = options.maxBytes;
  }

  /**
   * Looks up a response and marks it most recently used; counts a hit or a miss for its model.
   * @param key Built by `responseCacheKey`.
   */
  get(key: ResponseCacheKey): V | undefined {
    const entry = this.entries.get(key.id);
    const counters = this.countersOf(key.model);
    if (!entry) {
      counters.misses++;
      this.totals.misses++;
      return undefined;
    }
    counters.hits++;
    this.totals.hits++;
    this.entries.delete(key.id);
    this.entries.set(key.id, entry);
    return entry.value;
  }

  /**
   * Stores a response as most recently used, replacing any entry with the same key and evicting
   * least recently used entries until it fits.
   * @param key Built by `responseCacheKey`.
   * @param value The response to keep.
   * @param valueBytes Estimated size of `value` in bytes (e.g. the sum of its tensors' byte lengths).
   * @returns `false` when the entry alone is larger than the budget and was not stored.
   */
  set(key: ResponseCacheKey, value: V, valueBytes: number): boolean {
    const bytes = Buffer.byteLength(key.id, "utf8") + Math.max(0, Math.ceil(valueBytes));
    const counters = this.countersOf(key.model);
    if (bytes > this.maxBytes) {
      counters.rejections++;
      this.totals.rejections++;
      return false;
    }
    this.remove(key.id);
    while (this.bytes + bytes > this.maxBytes) this.evictOldest();
    this.entries.set(key.id, { key, value, bytes });
    this.bytes += bytes;
    counters.insertions++;
    this.totals.insertions++;
    return true;
  }

  /**
   * Removes one entry.
   * @returns Whether it was there.
   */
  delete(key: ResponseCacheKey): boolean {
    return this.remove(key.id);
  }

  /**
   * Removes every entry of a model (all versions, or one), e.g. when it is unloaded or reloaded.
   * @param model Model name.
   * @param version Only this version when given.
   * @returns Number of entries removed.
   */
  deleteModel(model: string, version?: string): number {
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (entry.key.model === model && (version === undefined || entry.key.version === version)) {
        this.remove(id);
        removed++;
      }
    }
    return removed;
  }

  /** Counters and size of the whole cache. */
  stats(): CacheStats {
    return {
      ...this.totals,
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
    };
  }

  /**
   * Counters of one model (zero for a model never looked up).
   * @param model Model name.
   */
  modelStats(model: string): CacheCounters {
    return { ...(this.perModel.get(model) ?? emptyCounters()) };
  }

  /** Names of the models with counters, for metric collection. */
  models(): string[] {
    return [...this.perModel.keys()];
  }

  private countersOf(model: string): CacheCounters {
    let counters = this.perModel.get(model);
    if (!counters) {
      counters = emptyCounters();
      this.perModel.set(model, counters);
    }
    return counters;
  }

  private remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    return true;
  }

  private evictOldest(): void {
    const oldest = this.entries.values().next().value as Entry<V>;
    this.remove(oldest.key.id);
    this.countersOf(oldest.key.model).evictions++;
    this.totals.evictions++;
  }
}
