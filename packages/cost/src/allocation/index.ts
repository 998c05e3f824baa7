/**
 * Cost allocation: split a GPU bill to (model, tenant) keys by usage, exactly in integer
 * micro-dollars; idle accounting; FinOps FOCUS rows.
 */
export { apportionLargestRemainder } from './apportion.js';
export type { WeightedKey } from './apportion.js';
export {
  AllocationOptionsSchema,
  IDLE_KEY,
  IDLE_MODES,
  allocateCost,
  rollUpAllocation,
} from './allocate.js';
export type {
  AllocationInput,
  AllocationLine,
  AllocationOptions,
  AllocationOptionsInput,
  BilledResource,
  CostAllocation,
  GpuSecondsUsage,
  IdleMode,
  KeyAllocation,
  MigSliceUsage,
  ResourceAllocation,
  RollUpRow,
  TokenUsage,
  UsageRecord,
  UsageUnit,
} from './allocate.js';
export { FOCUS_VERSION, toFocusRows } from './focus.js';
export type {
  FocusAllocatedMethodElement,
  FocusPeriod,
  FocusRow,
  FocusRowOptions,
} from './focus.js';
export { IDLE_DIMENSIONS, UNLABELED, accountIdle } from './idle.js';
export type {
  IdleAccounting,
  IdleAccountingOptions,
  IdleDimension,
  IdleRecord,
  IdleRow,
} from './idle.js';
