/**
 * A ring of time slots over event time: the window `[now − windowMs, now]` is cut into `size`
 * slots of `windowMs / size` each, and slot `k` holds the events with `floor(t / slotMs) === k`.
 * Slots are reused in place when time moves on, so memory is fixed at `size` values.
 *
 * Internal building block of {@link WindowedQuantiles} and {@link RateCounter}.
 */
export class SlotRing<T> {
  readonly slotMs: number;
  readonly size: number;
  readonly #epochs: Float64Array;
  readonly #values: T[];
  readonly #reset: (value: T) => void;
  #headKey = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number, size: number, make: () => T, reset: (value: T) => void) {
    this.slotMs = windowMs / size;
    this.size = size;
    this.#epochs = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
    this.#values = Array.from({ length: size }, make);
    this.#reset = reset;
  }

  /** The slot key of an event time. */
  keyOf(timeMs: number): number {
    return Math.floor(timeMs / this.slotMs);
  }

  /**
   * The slot for an event at `timeMs`, cleared if it last held an older key; `undefined` when
   * the event is older than the window behind the newest event seen.
   */
  slotAt(timeMs: number): T | undefined {
    const key = this.keyOf(timeMs);
    if (key <= this.#headKey - this.size) return undefined;
    if (key > this.#headKey) this.#headKey = key;
    const index = ((key % this.size) + this.size) % this.size;
    const value = this.#values[index] as T;
    if (this.#epochs[index] !== key) {
      this.#reset(value);
      this.#epochs[index] = key;
    }
    return value;
  }

  /** Calls `visit` for each slot inside the window ending at `nowMs` (keys in (nowKey − size, nowKey]). */
  forEachInWindow(nowMs: number, visit: (value: T) => void): void {
    const nowKey = this.keyOf(nowMs);
    for (let i = 0; i < this.size; i++) {
      const epoch = this.#epochs[i] as number;
      if (epoch <= nowKey && epoch > nowKey - this.size) visit(this.#values[i] as T);
    }
  }

  /** Start of the oldest slot inside the window ending at `nowMs`, epoch ms. */
  windowStartMs(nowMs: number): number {
    return (this.keyOf(nowMs) - this.size + 1) * this.slotMs;
  }

  /** Forgets every slot. */
  clear(): void {
    this.#epochs.fill(Number.NEGATIVE_INFINITY);
    this.#headKey = Number.NEGATIVE_INFINITY;
  }
}
