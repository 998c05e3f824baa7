import type { Clock } from '../time/clock.js';

/**
 * The wall clock: `Date.now()`. This file is the only place in the pure packages allowed to read
 * it (a lint rule enforces this); pass it at the edge of your program, never inside a decision.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ clock: systemClock, scheduler: createSystemScheduler() });
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
});
