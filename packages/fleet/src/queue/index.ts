/**
 * Queue-based workers: a priority work queue with aging and a proved starvation bound, a
 * worker-pool policy that scales on backlog with KEDA's activation and scale-to-zero semantics,
 * and a small deterministic simulation of the two together.
 */
export {
  WorkQueue,
  WorkQueueConfigSchema,
  agingOvertakeBound,
  agingOvertakeWindowMs,
  agingWaitBound,
  createWorkQueue,
  parseWorkQueueConfig,
} from './work-queue.js';
export type {
  AgingWaitBoundInput,
  WorkQueueClassFigures,
  WorkQueueConfig,
  WorkQueueConfigInput,
  WorkQueueDequeued,
  WorkQueueItem,
  WorkQueueItemInput,
} from './work-queue.js';
export {
  QueueWorkerClassTargetSchema,
  QueueWorkerConfigSchema,
  initialQueueWorkerState,
  parseQueueWorkerConfig,
  queueWorkerStep,
} from './worker-step.js';
export type {
  QueueWorkerConfig,
  QueueWorkerConfigInput,
  QueueWorkerDecision,
  QueueWorkerExplain,
  QueueWorkerInput,
  QueueWorkerReason,
  QueueWorkerState,
} from './worker-step.js';
export {
  WorkerPoolSimInputSchema,
  WorkerPoolSimJobSchema,
  simulateWorkerPool,
} from './simulate.js';
export type {
  WorkerPoolSimClassSummary,
  WorkerPoolSimInput,
  WorkerPoolSimJobResult,
  WorkerPoolSimResult,
  WorkerPoolSimTick,
} from './simulate.js';
