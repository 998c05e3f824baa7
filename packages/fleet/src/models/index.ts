/**
 * Model-level scaling on a shared GPU pool: replicas per model from demand, placed together with
 * the cost package's whole-GPU or MIG packing.
 */
export {
  DEFAULT_MODEL_TARGET_UTILIZATION,
  ModelMigPlacementSchema,
  ModelReplicaDemandSchema,
  ModelReplicaPlanInputSchema,
  ModelWholeGpuPlacementSchema,
  planModelReplicas,
} from './plan-replicas.js';
export type {
  ModelReplicaCount,
  ModelReplicaMigPlacement,
  ModelReplicaPlan,
  ModelReplicaPlanInput,
  ModelReplicaPlanOptions,
  ModelReplicaReason,
  ModelReplicaUnplaced,
  ModelReplicaWholeGpuPlacement,
} from './plan-replicas.js';
