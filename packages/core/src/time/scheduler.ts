import type { Clock } from './clock.js';

/** A scheduled callback that can be cancelled. Cancelling twice, or after it ran, does nothing. */
export interface TimerHandle {
  /** Prevents the callback from running if it has not run yet. */
  cancel(): void;
}

/**
 * Runs callbacks after a delay. The controller runtime (and anything else that needs timers)
 * takes a `Scheduler` instead of calling `setTimeout`, so its tests advance time by hand with
 * `ManualScheduler` and never wait on the wall clock.
 *
 * A scheduler is also a {@link Clock}: `now()` is the time it schedules against.
 */
export interface Scheduler extends Clock {
  /**
   * Runs `callback` once, `delayMs` milliseconds from now (0 = as soon as possible, after the
   * current call stack). A callback that throws does not stop other timers.
   */
  schedule(callback: () => void, delayMs: number): TimerHandle;
}
