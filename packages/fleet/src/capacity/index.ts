/**
 * SLO capacity model: the replicas a latency objective needs at an arrival rate, from Erlang C
 * (M/M/c), Kingman (G/G/1) and Allen-Cunneen (M/G/c) with an exponential waiting-time tail, and the
 * utilization target that implies. Continuous batching counts as servers per replica, with an
 * optional admission term (step-boundary admission delay and load-dependent service time).
 */
export {
  CAPACITY_MAX_SERVERS,
  erlangB,
  erlangC,
  mmcMeanWaitMs,
  mmcWaitPercentileMs,
  mmcWaitTailProbability,
} from './erlang.js';
export type { MmcInput } from './erlang.js';
export {
  allenCunneenMeanWaitMs,
  kingmanMeanWaitMs,
  predictQueueWait,
  queueWaitPercentileMs,
  queueWaitTailProbability,
} from './queue-wait.js';
export type {
  QueueWaitAdmissionInput,
  QueueWaitInput,
  QueueWaitModel,
  QueueWaitPrediction,
  StableQueueWaitPrediction,
  UnstableQueueWaitPrediction,
} from './queue-wait.js';
export { BatchAdmissionSchema } from './admission.js';
export type { AdmissionTerm, BatchAdmissionInput } from './admission.js';
export { ServiceTimeSchema, resolveServiceTime, serviceTimeFromSamples } from './service-time.js';
export type { ServiceTimeInput, ServiceTimeStats } from './service-time.js';
export {
  CapacitySloSchema,
  ReplicasForSloInputSchema,
  replicasForSlo,
} from './replicas-for-slo.js';
export type {
  ReplicasForSloInput,
  ReplicasForSloMet,
  ReplicasForSloReason,
  ReplicasForSloResult,
  ReplicasForSloUnreachable,
  ReplicasForSloUnreachableReason,
} from './replicas-for-slo.js';
