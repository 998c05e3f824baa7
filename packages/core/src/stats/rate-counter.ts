import { requireNumber } from '../errors/checks.js';
import { SlotRing } from '../internal/slot-ring.js';

/** Options of {@link RateCounter}. */
export interface RateCounterOptions {
  /** Length of the sliding window, ms, > 0. @defaultValue 60_000 */
  readonly windowMs?: number;
  /** Number of sub-windows, an integer in [1, 10_000]. @defaultValue 60 */
  readonly slots?: number;
  /**
   * When counting began, epoch ms. Until a whole window has passed since then, the rate divides
   * by the time actually covered, not the full window. @defaultValue the earliest event's time
   */
  readonly startMs?: number;
}

/**
 * Events per second over a sliding window of event time (requests/s, tokens/s, errors/s), with
 * fixed memory: one number per sub-window.
 *
 * `rate(nowMs)` = (events in the live sub-windows) / (seconds from the start of the oldest live
 * sub-window, or from `startMs` if later, to `nowMs`; at least one sub-window). Given the events
 * it holds, the division is exact; the window it covers is between `windowMs − windowMs/slots`
 * and `windowMs` long. Events older than the window behind the newest one seen are rejected.
 *
 * @example
 * ```ts
 * const requests = new RateCounter({ windowMs: 30_000, slots: 30 });
 * requests.add(1, clock.now());
 * const rps = requests.rate(clock.now());
 * ```
 */
export class RateCounter {
  /** Length of the window, ms. */
  readonly windowMs: number;
  readonly #ring: SlotRing<{ count: number }>;
  #startMs: number | undefined;
  readonly #explicitStart: boolean;
  #rejected = 0;

  /** @throws {@link HeadroomError} `invalid_argument` when an option is outside its bounds. */
  constructor(options: RateCounterOptions = {}) {
    this.windowMs = requireNumber(options.windowMs ?? 60_000, ['windowMs'], {
      min: 0,
      minExclusive: true,
    });
    const slots = requireNumber(options.slots ?? 60, ['slots'], {
      integer: true,
      min: 1,
      max: 10_000,
    });
    this.#startMs =
      options.startMs === undefined ? undefined : requireNumber(options.startMs, ['startMs']);
    this.#explicitStart = options.startMs !== undefined;
    this.#ring = new SlotRing(
      this.windowMs,
      slots,
      () => ({ count: 0 }),
      (slot) => {
        slot.count = 0;
      },
    );
  }

  /** Adds rejected: a negative or non-finite count or time, or an event older than the window. */
  get rejectedCount(): number {
    return this.#rejected;
  }

  /** Counts `count` events at event time `atMs`. Returns false if rejected. */
  add(count: number, atMs: number): boolean {
    if (!(count >= 0 && count < Number.POSITIVE_INFINITY && Number.isFinite(atMs))) {
      this.#rejected++;
      return false;
    }
    const slot = this.#ring.slotAt(atMs);
    if (slot === undefined) {
      this.#rejected++;
      return false;
    }
    // Without an explicit start, counting began at the earliest event seen (late events included).
    if (!this.#explicitStart && (this.#startMs === undefined || atMs < this.#startMs))
      this.#startMs = atMs;
    slot.count += count;
    return true;
  }

  /** Events in the window ending at `nowMs`. */
  count(nowMs: number): number {
    let total = 0;
    if (Number.isFinite(nowMs)) this.#ring.forEachInWindow(nowMs, (slot) => (total += slot.count));
    return total;
  }

  /** Events per second over the window ending at `nowMs`; 0 before any event. */
  rate(nowMs: number): number {
    const total = this.count(nowMs);
    if (total === 0) return 0;
    const from = Math.max(
      this.#ring.windowStartMs(nowMs),
      this.#startMs ?? Number.NEGATIVE_INFINITY,
    );
    const elapsedMs = Math.max(nowMs - from, this.#ring.slotMs);
    return (total * 1000) / elapsedMs;
  }
}
