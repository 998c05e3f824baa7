/**
 * `@headroom/fleet`: fleet-level capacity for GPU inference, composed from `@headroom/scaling`
 * and `@headroom/cost`.
 *
 * - Multi-model serving: a tiered model cache (GPU, host memory, NVMe, remote store) with LRU,
 *   LFU and a cost-aware GreedyDual-Size-Frequency policy, trace replay, and per-model replica
 *   planning on a shared GPU pool placed with the cost package's packing.
 * - Queue-based workers: a priority work queue with aging and a worker-pool policy that scales on
 *   backlog to a drain-time target, with KEDA's activation threshold and scale to zero.
 * - The SLO capacity model: Erlang C and M/G/c approximations that turn an arrival rate, a
 *   service-time distribution and a latency SLO into replicas and a utilization target.
 * - Budget arbitration: a fixed GPU budget per pool divided between workloads by priority and
 *   marginal SLO benefit, with every cut and preemption explained.
 *
 * @packageDocumentation
 */
export * from './cache/index.js';
export * from './models/index.js';
export * from './queue/index.js';
export * from './capacity/index.js';
export * from './budget/index.js';
