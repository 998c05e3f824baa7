import type { Clock } from '../time/clock.js';
import { requireNumber } from '../errors/checks.js';

/**
 * A {@link Clock} that only moves when told to. Time never goes backwards.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * clock.advance(30_000);
 * clock.now(); // 30 s later
 * ```
 */
export class ManualClock implements Clock {
  #nowMs: number;

  /**
   * @param startMs - initial time, epoch ms. @defaultValue 0
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `startMs` is not finite.
   */
  constructor(startMs = 0) {
    this.#nowMs = requireNumber(startMs, ['startMs']);
  }

  /** The current (manual) time, epoch ms. */
  now(): number {
    return this.#nowMs;
  }

  /**
   * Moves time forward by `ms`.
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `ms` is negative or not finite.
   */
  advance(ms: number): void {
    this.#nowMs += requireNumber(ms, ['ms'], { min: 0 });
  }

  /**
   * Sets the time to `nowMs`.
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `nowMs` is earlier than the current time.
   */
  set(nowMs: number): void {
    this.#nowMs = requireNumber(nowMs, ['nowMs'], { min: this.#nowMs });
  }
}
