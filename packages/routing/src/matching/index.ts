/**
 * Workload-to-GPU matching: latency classes to GPU tiers, the FP8 compatibility matrix and memory
 * fit, over a built-in, overridable table of GPU classes.
 */
export {
  DEFAULT_TIERS_BY_LATENCY_CLASS,
  FP8_ARCHITECTURES,
  GPU_CLASS_INFO,
  GPU_TIERS,
  GpuClassInfoSchema,
  LATENCY_CLASSES,
  NON_FP8_ARCHITECTURES,
  createGpuClassTable,
} from './gpu-classes.js';
export type { GpuArchitecture, GpuClassInfo, GpuTier, LatencyClass } from './gpu-classes.js';
export {
  DEFAULT_MATCHING_POLICY,
  MatchingPolicySchema,
  explainWorkloadMatch,
  parseMatchingPolicy,
  rankGpuClasses,
  workloadAllows,
  workloadPreference,
} from './matching.js';
export type {
  MatchingPolicy,
  ResolvedMatchingPolicy,
  WorkloadMatch,
  WorkloadRejection,
  WorkloadRequirement,
} from './matching.js';
