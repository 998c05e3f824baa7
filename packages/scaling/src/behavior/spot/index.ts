/**
 * Spot preemption response: drain the reclaimed instance, order its replacement at once, and
 * list the streams that must move before the deadline.
 */
export { SPOT_NOTICE_DEFAULT_MS, onSpotInterruption } from './spot-interruption.js';
export type {
  SpotDrain,
  SpotInterruptionNotice,
  SpotInterruptionOptions,
  SpotInterruptionResponse,
  SpotReplacement,
  SpotWarning,
} from './spot-interruption.js';
