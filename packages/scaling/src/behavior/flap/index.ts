/**
 * Flap budget: at most K direction changes (up after down, or down after up) per trailing window.
 */
export { FLAP_WINDOW_DEFAULT_MS, flapBudgetStep, initialFlapState } from './flap-budget.js';
export type {
  FlapBudgetConfig,
  FlapProposal,
  FlapReason,
  FlapState,
  FlapStepResult,
  ScaleDirection,
} from './flap-budget.js';
