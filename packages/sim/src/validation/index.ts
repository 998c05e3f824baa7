/**
 * Validation of `@headroom/fleet`'s capacity model against the simulator: plain queues built from
 * the engine (a known service-time distribution per request) and the Splitwise service model with
 * continuous batching, over a grid of loads and replica counts.
 */
export {
  QUEUEING_STEP_MS,
  batchingServiceModel,
  createQueueingServiceModel,
  drawServiceMs,
  measureBatchingAdmission,
  measureBatchingServiceTime,
  predictionError,
  queueingTrace,
  validateBatchingPoint,
  validateMgcPoint,
} from './capacity-validation.js';
export type {
  BatchingPointOptions,
  CapacityValidationPoint,
  MgcPointOptions,
  QueueingTraceOptions,
} from './capacity-validation.js';
export {
  VALIDATION_FLOOR_MS,
  VALIDATION_LOADS,
  VALIDATION_REPLICAS,
  batchingGrid,
  formatValidationTable,
  mgcGrid,
} from './grid.js';
export type { ValidationGridOptions } from './grid.js';
