import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { requireNumber } from '../errors/checks.js';
import { MinHeap } from '../internal/min-heap.js';

interface Timer {
  readonly dueMs: number;
  readonly callback: () => void;
  cancelled: boolean;
  ran: boolean;
}

/**
 * A {@link Scheduler} (and clock) for tests: nothing runs until {@link ManualScheduler.advance}
 * moves time, and then due timers run in order of due time (ties in the order they were
 * scheduled), each with `now()` set to its due time. Timers that a callback schedules run in the
 * same `advance` if they fall due within it.
 *
 * @example
 * ```ts
 * const scheduler = new ManualScheduler();
 * const fired: number[] = [];
 * scheduler.schedule(() => fired.push(scheduler.now()), 1_000);
 * scheduler.advance(5_000);
 * fired; // [1000]
 * ```
 */
export class ManualScheduler implements Scheduler {
  #nowMs: number;
  readonly #timers = new MinHeap<Timer>((a, b) => a.dueMs - b.dueMs);
  #pending = 0;

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

  /** Number of timers scheduled and not yet run or cancelled. */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Due time of the next live timer, or `undefined` when none is pending. */
  nextDueMs(): number | undefined {
    this.#dropCancelled();
    return this.#timers.peek()?.dueMs;
  }

  /**
   * Runs `callback` once when time reaches now + `delayMs` (in a later `advance`; a delay of 0
   * runs in the next `advance`, even `advance(0)`).
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `delayMs` is negative or not finite.
   */
  schedule(callback: () => void, delayMs: number): TimerHandle {
    requireNumber(delayMs, ['delayMs'], { min: 0 });
    const timer: Timer = { dueMs: this.#nowMs + delayMs, callback, cancelled: false, ran: false };
    this.#timers.push(timer);
    this.#pending++;
    return {
      cancel: () => {
        if (timer.cancelled || timer.ran) return;
        timer.cancelled = true;
        this.#pending--;
      },
    };
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due, in order. A callback's
   * exception propagates after time has been set to that timer's due time; call `advance` again
   * to go on.
   * @throws `HeadroomError` (from `@headroom/core`) `invalid_argument` when `ms` is negative or not finite.
   */
  advance(ms: number): void {
    const target = this.#nowMs + requireNumber(ms, ['ms'], { min: 0 });
    for (let timer = this.#takeDue(target); timer !== undefined; timer = this.#takeDue(target)) {
      this.#nowMs = timer.dueMs;
      timer.callback();
    }
    this.#nowMs = target;
  }

  /**
   * Like {@link ManualScheduler.advance}, but lets promises settle after each timer (and before
   * returning), so async work started by a callback (an actuator call) completes in order.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#nowMs + requireNumber(ms, ['ms'], { min: 0 });
    await flushPromises();
    for (let timer = this.#takeDue(target); timer !== undefined; timer = this.#takeDue(target)) {
      this.#nowMs = timer.dueMs;
      timer.callback();
      await flushPromises();
    }
    this.#nowMs = target;
    await flushPromises();
  }

  /**
   * Runs timers until none is pending, moving time to each one's due time.
   * @param maxTimers - safety stop for timers that reschedule themselves forever. @defaultValue 10_000
   * @returns the number of timers run.
   */
  runAll(maxTimers = 10_000): number {
    let ran = 0;
    for (
      let timer = this.#takeDue(Number.POSITIVE_INFINITY);
      timer !== undefined && ran < maxTimers;
    ) {
      this.#nowMs = timer.dueMs;
      timer.callback();
      ran++;
      if (ran < maxTimers) timer = this.#takeDue(Number.POSITIVE_INFINITY);
    }
    return ran;
  }

  #takeDue(targetMs: number): Timer | undefined {
    this.#dropCancelled();
    const next = this.#timers.peek();
    if (next === undefined || next.dueMs > targetMs) return undefined;
    this.#timers.pop();
    next.ran = true;
    this.#pending--;
    return next;
  }

  #dropCancelled(): void {
    while (this.#timers.peek()?.cancelled === true) this.#timers.pop();
  }
}

function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
