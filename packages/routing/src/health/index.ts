/**
 * Endpoint health: GPU signal grading with hysteresis, Envoy-style passive outlier ejection,
 * operator drains, and the routing weight factor of each state.
 */
export {
  DEFAULT_FATAL_XIDS,
  HEALTH_STATES,
  gradeGpuSignals,
  healthRank,
  stateOfRank,
} from './gpu-signals.js';
export type {
  GpuGrade,
  GpuGradeThresholds,
  GpuHealthCause,
  GpuHealthSignals,
  HealthState,
} from './gpu-signals.js';
export {
  DEFAULT_HEALTH_CONFIG,
  HealthConfigSchema,
  healthWeight,
  parseHealthConfig,
  resolveHealthConfig,
} from './health-config.js';
export type { HealthConfig, ResolvedHealthConfig } from './health-config.js';
export { createHealthTracker, restoreHealthTracker } from './health.js';
export { EndpointHealthStateSchema, HealthTrackerStateSchema } from './health-state.js';
export type { EndpointHealthState, HealthTrackerState } from './health-state.js';
export type {
  EndpointHealthDetails,
  HealthCause,
  HealthEvent,
  HealthTracker,
  OutlierCandidate,
  OutlierEjectionReason,
  OutlierSweepReport,
} from './health.js';
