/**
 * Panic mode with the semantics of the Knative Pod Autoscaler: a short panic window that scales
 * up fast on a burst and never scales down until a full stable window has passed.
 */
export {
  PANIC_MAX_REPLICAS,
  PanicConfigSchema,
  initialPanicState,
  panicStep,
  panicWindowMs,
  parsePanicConfig,
} from './panic.js';
export type {
  PanicConfig,
  PanicConfigInput,
  PanicInput,
  PanicReason,
  PanicState,
  PanicStepResult,
} from './panic.js';
export { windowAverages } from './window-average.js';
export type { DemandSample, WindowAverage, WindowAverages } from './window-average.js';
