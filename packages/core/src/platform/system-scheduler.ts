import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { requireNumber } from '../errors/checks.js';
import { systemClock } from './system-clock.js';

/** Options of {@link createSystemScheduler}. */
export interface SystemSchedulerOptions {
  /**
   * When true, pending timers do not keep the Node.js process alive (`timer.unref()`).
   * @defaultValue false
   */
  readonly unref?: boolean;
  /**
   * Called with the error when a callback throws; the scheduler itself never rethrows into the
   * event loop. @defaultValue ignore the error
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * A {@link Scheduler} on the real event loop (`setTimeout`) and the wall clock. Timers are only
 * allowed in files that implement a scheduler, so this is the one production implementation.
 *
 * @throws {@link HeadroomError} `invalid_argument` from `schedule` when `delayMs` is negative or not finite.
 * @example
 * ```ts
 * const scheduler = createSystemScheduler({ unref: true });
 * const handle = scheduler.schedule(() => reconcile(), 15_000);
 * handle.cancel();
 * ```
 */
export function createSystemScheduler(options: SystemSchedulerOptions = {}): Scheduler {
  const unref = options.unref ?? false;
  const onError = options.onError;
  return {
    now: () => systemClock.now(),
    schedule(callback: () => void, delayMs: number): TimerHandle {
      requireNumber(delayMs, ['delayMs'], { min: 0 });
      const timer = setTimeout(() => {
        try {
          callback();
        } catch (error) {
          onError?.(error);
        }
      }, delayMs);
      if (unref) timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
