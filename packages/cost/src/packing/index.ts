/**
 * Whole-GPU packing: place model replicas onto GPUs over memory and compute, with headroom and
 * anti-affinity.
 */
export {
  DEFAULT_MEMORY_HEADROOM,
  PackingGpuTypeSchema,
  PackingInputSchema,
  PackingModelSchema,
  packReplicas,
  packingLowerBound,
} from './pack.js';
export type {
  PackedGpu,
  PackedReplica,
  PackingInput,
  PackingResult,
  UnplacedReason,
  UnplacedReplica,
} from './pack.js';
