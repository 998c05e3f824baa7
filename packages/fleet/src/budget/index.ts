/**
 * Budget arbitration: divide fixed GPU budgets (per region and GPU class, plus a fleet-wide cap)
 * between autoscaled workloads by priority and marginal SLO benefit, and say who was cut and why.
 */
export { arbitrateBudget } from './arbitrate.js';
export type {
  BudgetArbitration,
  BudgetGrant,
  BudgetInfeasibility,
  BudgetPoolUsage,
  BudgetReason,
  BudgetReasonCode,
} from './arbitrate.js';
export { budgetBenefitFromSloAttainment } from './benefit.js';
export {
  BUDGET_CLASS_RANK,
  BUDGET_WORKLOAD_CLASSES,
  BudgetArbitrationInputSchema,
  BudgetPolicySchema,
  BudgetPoolSchema,
  BudgetWorkloadSchema,
  DEFAULT_BUDGET_CLASS_PRIORITY,
  budgetPoolKey,
  parseBudgetArbitrationInput,
} from './schema.js';
export type {
  BudgetArbitrationInput,
  BudgetPoolInput,
  BudgetWorkloadClass,
  BudgetWorkloadInput,
  ParsedBudgetArbitrationInput,
} from './schema.js';
