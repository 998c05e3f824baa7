/**
 * Capacity planning: a three-tier (reserved, on-demand, spot) planner per region, and break-even
 * calculators for edge vs central, serverless vs always-on and warm pool size.
 */
export {
  HOURS_PER_MONTH,
  MAX_DEMAND_GPUS,
  PlanCapacityInputSchema,
  RegionDemandSchema,
  SpotPoolSchema,
  planCapacity,
} from './plan-capacity.js';
export type {
  CapacityPlan,
  HourlyTiers,
  PlanCapacityInput,
  PlanNote,
  RegionDemandInput,
  RegionPlan,
  SpotPoolInput,
  SpotPoolPlan,
  TierSummary,
} from './plan-capacity.js';
export {
  EdgeVsCentralInputSchema,
  ServerlessVsAlwaysOnInputSchema,
  WarmPoolBreakEvenInputSchema,
  edgeVsCentralBreakEven,
  serverlessVsAlwaysOnBreakEven,
  warmPoolBreakEven,
} from './break-even.js';
export type {
  EdgeVsCentralBreakEven,
  EdgeVsCentralInput,
  ServerlessVsAlwaysOnBreakEven,
  ServerlessVsAlwaysOnInput,
  WarmPoolBreakEven,
  WarmPoolBreakEvenInput,
  WarmPoolStep,
} from './break-even.js';
