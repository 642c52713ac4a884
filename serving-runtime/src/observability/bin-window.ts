/**
 * The bins of the last `capacity` observations of one distribution: a ring of bin indices and a
 * count per bin, so adding an observation costs two array writes whatever the window size.
 */
export class BinWindow {
  /** Observations per bin over the window. */
  readonly counts: Uint32Array;
  private readonly ring: Uint8Array;
  private position = 0;
  private size = 0;

  /**
   * @param bins number of bins (at most 256)
   * @param capacity observations the window holds
   */
  constructor(bins: number, capacity: number) {
    if (bins > 256) throw new Error(`a window holds at most 256 bins, got ${bins}`);
    this.counts = new Uint32Array(bins);
    this.ring = new Uint8Array(capacity);
  }

  /** Observations in the window: grows to the capacity, then stays there. */
  get filled(): number {
    return this.size;
  }

  /** Whether the window holds as many observations as it can. */
  get full(): boolean {
    return this.size === this.ring.length;
  }

  /** Adds one observation's bin, evicting the oldest once the window is full. */
  push(bin: number): void {
    const ring = this.ring;
    if (this.size === ring.length) this.counts[ring[this.position]]--;
    else this.size++;
    ring[this.position] = bin;
    this.counts[bin]++;
    this.position = this.position + 1 === ring.length ? 0 : this.position + 1;
  }
}
