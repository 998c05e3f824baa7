import { requireNumber } from '../errors/checks.js';

/** What {@link HighWaterMarkGauge.collect} reports for one export interval. */
export interface HighWaterMarkReading {
  /** The largest value the gauge held during the interval (including its value at the start). */
  readonly peak: number;
  /** The smallest value the gauge held during the interval. */
  readonly trough: number;
  /** The value at the end of the interval. */
  readonly current: number;
  /** Start of the interval (the previous collect, or the gauge's creation), epoch ms. */
  readonly fromMs: number;
  /** End of the interval (this collect), epoch ms. */
  readonly toMs: number;
}

/**
 * A gauge that remembers its peak between exports, so short bursts are not missed.
 *
 * A point sample of "active streams" every 60 s reads 0 if 500 streams opened and closed within
 * 200 ms between two samples; the autoscaler then never sees them. This gauge tracks the current
 * value and, per export interval, its peak (and trough): {@link HighWaterMarkGauge.collect}
 * returns them and starts a new interval whose peak is the current value.
 *
 * Updates that carry a time earlier than the last collect are folded into the current interval
 * (nothing is lost). Non-finite values and deltas are rejected and counted.
 *
 * @example
 * ```ts
 * const streams = new HighWaterMarkGauge(0, clock.now());
 * streams.add(+1, t); // stream opened
 * streams.add(-1, t2); // stream closed
 * const { peak } = streams.collect(clock.now()); // the most streams open at once since the last collect
 * ```
 */
export class HighWaterMarkGauge {
  #current: number;
  #peak: number;
  #trough: number;
  #fromMs: number;
  #rejected = 0;

  /**
   * @param initial - starting value. @defaultValue 0
   * @param startMs - start of the first interval, epoch ms. @defaultValue 0
   * @throws {@link HeadroomError} `invalid_argument` when either is not finite.
   */
  constructor(initial = 0, startMs = 0) {
    const value = requireNumber(initial, ['initial']);
    this.#current = value;
    this.#peak = value;
    this.#trough = value;
    this.#fromMs = requireNumber(startMs, ['startMs']);
  }

  /** The value now. */
  get current(): number {
    return this.#current;
  }

  /** The peak of the current interval so far. */
  get peak(): number {
    return this.#peak;
  }

  /** Number of rejected updates (non-finite values or deltas). */
  get rejectedCount(): number {
    return this.#rejected;
  }

  /** Sets the value. `atMs` is accepted for symmetry with other event-time statistics. */
  set(value: number, _atMs?: number): boolean {
    if (!Number.isFinite(value)) {
      this.#rejected++;
      return false;
    }
    this.#current = value;
    if (value > this.#peak) this.#peak = value;
    if (value < this.#trough) this.#trough = value;
    return true;
  }

  /** Adds `delta` (negative to decrease) to the value. */
  add(delta: number, atMs?: number): boolean {
    if (!Number.isFinite(delta)) {
      this.#rejected++;
      return false;
    }
    return this.set(this.#current + delta, atMs);
  }

  /**
   * Ends the interval at `nowMs`: returns its peak, trough and current value, then starts a new
   * interval whose peak and trough are the current value. A `nowMs` that is not finite, or before
   * the interval's start, ends it at its start.
   */
  collect(nowMs: number): HighWaterMarkReading {
    const toMs = Number.isFinite(nowMs) ? Math.max(nowMs, this.#fromMs) : this.#fromMs;
    const reading: HighWaterMarkReading = {
      peak: this.#peak,
      trough: this.#trough,
      current: this.#current,
      fromMs: this.#fromMs,
      toMs,
    };
    this.#peak = this.#current;
    this.#trough = this.#current;
    this.#fromMs = toMs;
    return reading;
  }
}
