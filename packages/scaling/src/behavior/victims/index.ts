/**
 * Scale-in victim choice: which instances to remove so the fewest streams are cut and the least
 * cold-start work is wasted, and the drain plan for them.
 */
export { chooseScaleInVictims } from './scale-in-victims.js';
export type {
  ScaleInSkip,
  ScaleInSkipReason,
  ScaleInVictim,
  ScaleInVictimOptions,
  ScaleInVictimReason,
  ScaleInVictims,
} from './scale-in-victims.js';
export { drainPlan } from './drain-plan.js';
export type { DrainPlanOptions, DrainStep } from './drain-plan.js';
