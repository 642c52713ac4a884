/** Buffers a pool keeps at most, free, by default: a few batches of every size in flight. */
export const POOL_MAX_BUFFERS = 8;

/** Bytes a pool keeps at most, free, by default. */
export const POOL_MAX_BYTES = 64 * 1024 * 1024;

/** The smallest buffer a pool allocates, so that small inputs share a size class. */
const MIN_BYTES = 4096;

/** The smallest power of two ≥ `bytes` (and ≥ {@link MIN_BYTES}). */
function sizeClass(bytes: number): number {
  let size = MIN_BYTES;
  while (size < bytes) size *= 2;
  return size;
}

/**
 * Reusable `ArrayBuffer`s for the inputs that travel to a worker thread and back. Each batch's
 * inputs are written into a buffer taken from the pool, transferred (not cloned) to the thread,
 * and transferred back with the results, so that a steady load allocates no new large buffer per
 * batch: large buffers that die young are what drives V8's external-memory garbage collections.
 * onnxruntime-node refuses tensors on a `SharedArrayBuffer` ("Invalid argument"), so a shared
 * slot per worker is not an option.
 *
 * Buffers come in power-of-two sizes, so a buffer fits every later batch up to its size; the
 * pool keeps at most `maxBuffers` free buffers and `maxBytes` bytes, dropping the smallest first.
 * A buffer that never comes back (its thread died) is simply garbage.
 */
export class TransferPool {
  private readonly free: ArrayBuffer[] = [];
  private freeBytes = 0;
  private readonly lent = new WeakSet<ArrayBuffer>();

  /**
   * @param maxBuffers free buffers kept at most
   * @param maxBytes free bytes kept at most
   */
  constructor(
    readonly maxBuffers = POOL_MAX_BUFFERS,
    readonly maxBytes = POOL_MAX_BYTES,
  ) {}

  /** Free buffers held. */
  get size(): number {
    return this.free.length;
  }

  /**
   * A buffer of at least `bytes`: the smallest free one that fits, or a new one.
   *
   * @param bytes bytes needed
   */
  take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i].byteLength;
      if (length >= bytes && (best < 0 || length < this.free[best].byteLength)) best = i;
    }
    let buffer: ArrayBuffer;
    if (best >= 0) {
      buffer = this.free[best];
      this.free.splice(best, 1);
      this.freeBytes -= buffer.byteLength;
    } else {
      buffer = new ArrayBuffer(sizeClass(bytes));
    }
    this.lent.add(buffer);
    return buffer;
  }

  /**
   * Whether `buffer` was taken from this pool and has not come back yet.
   *
   * @param buffer the buffer
   */
  owns(buffer: ArrayBufferLike): boolean {
    return this.lent.has(buffer as ArrayBuffer);
  }

  /**
   * Takes a buffer back (one from {@link take}, or any transferable one that came back from the
   * thread); a detached buffer or one beyond the pool's limits is dropped.
   *
   * @param buffer the buffer
   */
  give(buffer: ArrayBuffer): void {
    this.lent.delete(buffer);
    if (buffer.byteLength === 0 || buffer.byteLength > this.maxBytes) return;
    this.free.push(buffer);
    this.freeBytes += buffer.byteLength;
    while (this.free.length > this.maxBuffers || this.freeBytes > this.maxBytes) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) {
        if (this.free[i].byteLength < this.free[smallest].byteLength) smallest = i;
      }
      this.freeBytes -= this.free[smallest].byteLength;
      this.free.splice(smallest, 1);
    }
  }
}
