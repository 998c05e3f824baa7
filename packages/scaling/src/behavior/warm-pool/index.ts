/**
 * Warm pools: instances with the model loaded but not serving, sized from the ramps in your
 * demand history and planned so a scale-up promotes from the pool before anything cold-starts.
 */
export { warmPoolSize } from './warm-pool-size.js';
export type {
  NeededReplicas,
  WarmPoolQuantileOver,
  WarmPoolSize,
  WarmPoolSizeInput,
} from './warm-pool-size.js';
export { planWarmPool } from './warm-pool-plan.js';
export type { WarmPoolPlan, WarmPoolPlanInput, WarmPoolPlanReason } from './warm-pool-plan.js';
