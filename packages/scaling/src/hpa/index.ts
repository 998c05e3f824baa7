export {
  createHpaController,
  hpaStep,
  initialHpaState,
  normalizeRecommendation,
  recordHpaScale,
} from './hpa.js';
export type {
  HpaController,
  HpaDecision,
  HpaInput,
  HpaReasonCode,
  NormalizedRecommendation,
  HpaState,
  TimestampedRecommendation,
  TimestampedScaleEvent,
} from './hpa.js';
export {
  podMetricProposal,
  readyPodsCount,
  toMilli,
  valueMetricProposal,
} from './replica-calculator.js';
export type {
  HpaMetricReading,
  HpaPod,
  HpaPodSample,
  MetricProposal,
  ReadinessTiming,
  Tolerances,
} from './replica-calculator.js';
export {
  HpaMetricSpecSchema,
  HpaScalingPolicySchema,
  HpaScalingRulesSchema,
  HpaSpecSchema,
  resolveRules,
} from './spec.js';
export type {
  HpaMetricSpec,
  HpaScalingPolicy,
  HpaSpec,
  HpaSpecInput,
  ResolvedScalingRules,
} from './spec.js';
