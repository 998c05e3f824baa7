import { requireNumber } from '../errors/checks.js';
import { SlotRing } from '../internal/slot-ring.js';
import { DDSketch } from './ddsketch.js';

/** Options of {@link WindowedQuantiles}. */
export interface WindowedQuantilesOptions {
  /** Length of the sliding window, ms, > 0. @defaultValue 60_000 */
  readonly windowMs?: number;
  /**
   * Number of sub-windows the window is cut into, an integer in [1, 1000]; the window slides one
   * sub-window at a time. More slots: a smoother slide, more memory. @defaultValue 6
   */
  readonly slots?: number;
  /** Relative accuracy α of each sketch, in (0, 1). @defaultValue 0.01 */
  readonly relativeAccuracy?: number;
  /** Most buckets per sub-window sketch, ≥ 16. @defaultValue 2048 */
  readonly maxBuckets?: number;
}

/**
 * Quantiles (p50/p95/p99 of latency, say) over a sliding window of **event time**, with bounded
 * memory and a stated error.
 *
 * The window is cut into `slots` sub-windows, each a {@link DDSketch}; a query merges the
 * sub-windows inside the window ending at `nowMs`.
 *
 * **Error**: (1) value error: each quantile is within `relativeAccuracy` × the exact quantile of
 * the values the window holds (the {@link DDSketch} bound); (2) window edge: the window holds the
 * values with event time from the start of the oldest live sub-window to `nowMs`, that is between
 * `windowMs − windowMs/slots` and `windowMs` of history. Values older than the window behind the
 * newest one seen are rejected (counted in {@link WindowedQuantiles.rejectedCount}).
 *
 * **Memory**: at most `slots × (maxBuckets + 1)` 8-byte buckets, plus a scratch sketch.
 *
 * @example
 * ```ts
 * const latency = new WindowedQuantiles({ windowMs: 60_000, slots: 6 });
 * latency.record(812, clock.now());
 * const [p50, p99] = latency.quantiles([0.5, 0.99], clock.now());
 * ```
 */
export class WindowedQuantiles {
  /** Length of the window, ms. */
  readonly windowMs: number;
  readonly #ring: SlotRing<DDSketch>;
  readonly #scratch: DDSketch;
  #rejected = 0;

  /** @throws {@link HeadroomError} `invalid_argument` when an option is outside its bounds. */
  constructor(options: WindowedQuantilesOptions = {}) {
    this.windowMs = requireNumber(options.windowMs ?? 60_000, ['windowMs'], {
      min: 0,
      minExclusive: true,
    });
    const slots = requireNumber(options.slots ?? 6, ['slots'], {
      integer: true,
      min: 1,
      max: 1000,
    });
    const sketchOptions = {
      relativeAccuracy: options.relativeAccuracy ?? 0.01,
      maxBuckets: options.maxBuckets ?? 2048,
    };
    this.#scratch = new DDSketch(sketchOptions);
    this.#ring = new SlotRing(
      this.windowMs,
      slots,
      () => new DDSketch(sketchOptions),
      (sketch) => sketch.clear(),
    );
  }

  /** Values rejected: negative, NaN or infinite, a non-finite time, or older than the window. */
  get rejectedCount(): number {
    return this.#rejected;
  }

  /** Records a value observed at event time `atMs`. Returns false if it was rejected. */
  record(value: number, atMs: number): boolean {
    if (!Number.isFinite(atMs)) {
      this.#rejected++;
      return false;
    }
    const sketch = this.#ring.slotAt(atMs);
    if (sketch === undefined || !sketch.add(value)) {
      this.#rejected++;
      return false;
    }
    return true;
  }

  /**
   * The value at quantile `q` of the window ending at `nowMs`, or `undefined` when it is empty.
   * @throws {@link HeadroomError} `invalid_argument` when `q` is not in [0, 1].
   */
  quantile(q: number, nowMs: number): number | undefined {
    return this.#merged(nowMs).quantile(q);
  }

  /**
   * Several quantiles of the window ending at `nowMs`, merging the sub-windows once.
   * @throws {@link HeadroomError} `invalid_argument` when a `q` is not in [0, 1].
   */
  quantiles(qs: readonly number[], nowMs: number): (number | undefined)[] {
    const merged = this.#merged(nowMs);
    return qs.map((q) => merged.quantile(q));
  }

  /** Number of values in the window ending at `nowMs`. */
  count(nowMs: number): number {
    return this.#merged(nowMs).count;
  }

  /** Forgets every value. */
  clear(): void {
    this.#ring.clear();
  }

  #merged(nowMs: number): DDSketch {
    const scratch = this.#scratch;
    scratch.clear();
    if (Number.isFinite(nowMs))
      this.#ring.forEachInWindow(nowMs, (sketch) => scratch.merge(sketch));
    return scratch;
  }
}
