/**
 * `@headroom/core/testing`: the test doubles headroom's own tests use, public so you can test
 * your controllers and gateways the same way.
 *
 * - {@link ManualClock}: time that moves only when told to.
 * - {@link ManualScheduler}: timers that run when `advance(ms)` reaches them, in order.
 * - {@link createRandom} / {@link SeededRandom}: the seeded generator, re-exported for convenience.
 *
 * @example
 * ```ts
 * import { ManualScheduler, createRandom } from '@headroom/core/testing';
 * const scheduler = new ManualScheduler(0);
 * const random = createRandom(7);
 * ```
 *
 * @packageDocumentation
 */

export { ManualClock } from './testing/manual-clock.js';
export { ManualScheduler } from './testing/manual-scheduler.js';
export { SeededRandom, createRandom } from '@headroom/core';
