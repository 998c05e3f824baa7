export {
  GPU_RESOURCE,
  RATE_WINDOW_MS,
  peakArrivalRatePerSec,
  startArrivalRatePerSec,
  startingReplicas,
} from './common.js';
export type { InitialContext, ReplicaBounds } from './common.js';
export { StaticPeakPolicyOptionsSchema, staticPeakPolicy } from './static-peak.js';
export type { StaticPeakPolicyOptions } from './static-peak.js';
export { HpaPolicyOptionsSchema, hpaPolicy } from './hpa.js';
export type { HpaPolicyInspection, HpaPolicyOptions, HpaSimPolicy } from './hpa.js';
export { KnativePolicyOptionsSchema, knativePolicy } from './knative.js';
export type { KnativePolicyOptions, KnativeSimPolicy } from './knative.js';
export { KedaQueuePolicyOptionsSchema, kedaQueuePolicy } from './keda.js';
export type { KedaQueuePolicyOptions, KedaSimPolicy } from './keda.js';
export { HeadroomPolicyOptionsSchema, headroomPolicy } from './headroom.js';
export type {
  HeadroomDriver,
  HeadroomInspection,
  HeadroomPolicyOptions,
  HeadroomSimPolicy,
} from './headroom.js';
export { POLICY_NAMES, createPolicy, isPolicyName } from './registry.js';
export type { PolicyName, PolicyOptionsByName } from './registry.js';
