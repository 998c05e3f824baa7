/**
 * Step scaling with the semantics of AWS Auto Scaling step scaling policies.
 */
export {
  ALARM_COMPARISONS,
  STEP_ADJUSTMENT_TYPES,
  StepAdjustmentSchema,
  StepScalingConfigSchema,
  createStepScalingState,
  parseStepScalingConfig,
  roundPercentAdjustment,
  stepScalingDecision,
} from './step-scaling.js';
export type {
  AlarmComparison,
  StepAdjustment,
  StepAdjustmentType,
  StepHoldDecision,
  StepHoldReason,
  StepScaleDecision,
  StepScaleReason,
  StepScalingConfig,
  StepScalingConfigInput,
  StepScalingDecision,
  StepScalingInput,
  StepScalingResult,
  StepScalingState,
  StepScalingWarmup,
} from './step-scaling.js';
