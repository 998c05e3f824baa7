/**
 * Slow start: ramp a newly ready endpoint's weight over a window, after Envoy's slow start mode.
 */
export {
  SLOW_START_MIN_ELAPSED_MS,
  SlowStartConfigSchema,
  parseSlowStartConfig,
  slowStartEndsAtMs,
  slowStartFactor,
  slowStartShareCap,
} from './slow-start.js';
export type { ResolvedSlowStartConfig, SlowStartConfig } from './slow-start.js';
