/**
 * Multi-region routing: region choice by measured latency or static geography, capacity-aware
 * overflow, health-driven failover, per-tenant pinning for data sovereignty, model-version drift.
 */
export {
  REGION_STRATEGIES,
  RegionRouterConfigSchema,
  RegionSchema,
  RegionUpdateSchema,
  createRegionRouter,
} from './region-router.js';
export type {
  DistanceSource,
  RegionChoice,
  RegionChoiceReason,
  RegionRequest,
  RegionRouter,
  RegionRouterConfig,
  RegionStatus,
  RegionStrategy,
  RegionUpdate,
  RegionVerdict,
  VersionDrift,
} from './region-router.js';
export { RegionUnavailableError, isRegionUnavailableError } from './region-unavailable-error.js';
export type {
  RegionRejection,
  RegionRejectionDetail,
  RegionUnavailableErrorOptions,
} from './region-unavailable-error.js';
