/**
 * `@headroom/scaling`: scaling decisions for GPU inference fleets, as pure functions.
 *
 * - {@link createTargetTracking} / {@link targetTrackingStep}: target tracking on GPU signals
 *   (utilization, queue depth, open streams, KV-cache, latency SLOs, custom), combined by max,
 *   weighted mean or your own function, with the HPA's rules for missing and unready instances.
 * - {@link createHpaController} / {@link hpaStep}: exactly what the Kubernetes HPA controller
 *   (1.33+) would decide, for predicting and comparing before you migrate.
 * - {@link stepScalingDecision}: step scaling with AWS semantics.
 * - {@link scheduledBounds}: timezone-aware cron schedules that set floors and ceilings per region.
 * - {@link predictiveDecision}: a seasonal forecast provisioned at now + cold-start lead time, as a floor.
 * - {@link composeReplicas}: the rule that combines schedules, a predictive floor and reactive spikes.
 *
 * - {@link createAutoscaler}: the controller runtime (interval ticks, serialized actuation with
 *   coalescing and retries, typed events, OpenTelemetry metrics, JSON state that resumes).
 *
 * @packageDocumentation
 */

export {
  HpaMetricSpecSchema,
  HpaScalingPolicySchema,
  HpaScalingRulesSchema,
  HpaSpecSchema,
  createHpaController,
  hpaStep,
  initialHpaState,
  normalizeRecommendation,
  podMetricProposal,
  readyPodsCount,
  recordHpaScale,
  resolveRules,
  toMilli,
  valueMetricProposal,
} from './hpa/index.js';
export type {
  HpaController,
  HpaDecision,
  HpaInput,
  HpaMetricReading,
  HpaMetricSpec,
  HpaPod,
  HpaPodSample,
  HpaReasonCode,
  HpaScalingPolicy,
  HpaSpec,
  HpaSpecInput,
  HpaState,
  MetricProposal,
  NormalizedRecommendation,
  ReadinessTiming,
  ResolvedScalingRules,
  TimestampedRecommendation,
  TimestampedScaleEvent,
  Tolerances,
} from './hpa/index.js';

export { createTargetTracking, readInstanceSignal, targetTrackingStep } from './signals/index.js';
export type {
  CompositeRule,
  FleetSignalValue,
  InstanceSignalValue,
  SignalKind,
  SignalProposal,
  SignalSpec,
  TargetTracking,
  TargetTrackingDecision,
  TargetTrackingInput,
  TargetTrackingOptions,
  TargetTrackingReasonCode,
} from './signals/index.js';

export {
  ALARM_COMPARISONS,
  STEP_ADJUSTMENT_TYPES,
  StepAdjustmentSchema,
  StepScalingConfigSchema,
  createStepScalingState,
  parseStepScalingConfig,
  roundPercentAdjustment,
  stepScalingDecision,
} from './policies/step/index.js';
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
} from './policies/step/index.js';

export {
  SCHEDULED_BOUNDS_MAX_NOW_MS,
  SCHEDULED_BOUNDS_MIN_NOW_MS,
  ScheduleSchema,
  ScheduledBoundsConfigSchema,
  parseScheduledBoundsConfig,
  scheduledBounds,
} from './policies/scheduled/index.js';
export type {
  ActiveSchedule,
  Schedule,
  ScheduledBounds,
  ScheduledBoundsConfig,
  ScheduledBoundsConfigInput,
  ScheduledBoundsQuery,
} from './policies/scheduled/index.js';

export { composeReplicas } from './compose.js';
export type { ComposeInput, ComposeLimit, ComposedReplicas } from './compose.js';

export {
  PredictiveScalingConfigSchema,
  backtest,
  forecastDemand,
  parsePredictiveScalingConfig,
  predictiveDecision,
} from './policies/predictive/index.js';
export type {
  BacktestOptions,
  BacktestOutcome,
  BacktestResult,
  DemandForecast,
  DemandPoint,
  ForecastMethod,
  ForecastOptions,
  ForecastRequest,
  MaxCapacityBehavior,
  PredictiveDecision,
  PredictiveDecisionInput,
  PredictiveMode,
  PredictiveReason,
  PredictiveScalingConfig,
  PredictiveScalingConfigInput,
  ResolvedForecastOptions,
} from './policies/predictive/index.js';

export { chooseScaleInVictims, drainPlan } from './behavior/victims/index.js';
export type {
  DrainPlanOptions,
  DrainStep,
  ScaleInSkip,
  ScaleInSkipReason,
  ScaleInVictim,
  ScaleInVictimOptions,
  ScaleInVictimReason,
  ScaleInVictims,
} from './behavior/victims/index.js';
export { SPOT_NOTICE_DEFAULT_MS, onSpotInterruption } from './behavior/spot/index.js';
export type {
  SpotDrain,
  SpotInterruptionNotice,
  SpotInterruptionOptions,
  SpotInterruptionResponse,
  SpotReplacement,
  SpotWarning,
} from './behavior/spot/index.js';
export { FLAP_WINDOW_DEFAULT_MS, flapBudgetStep, initialFlapState } from './behavior/flap/index.js';
export type {
  FlapBudgetConfig,
  FlapProposal,
  FlapReason,
  FlapState,
  FlapStepResult,
  ScaleDirection,
} from './behavior/flap/index.js';

export {
  PANIC_MAX_REPLICAS,
  PanicConfigSchema,
  initialPanicState,
  panicStep,
  panicWindowMs,
  parsePanicConfig,
  windowAverages,
} from './behavior/panic/index.js';
export type {
  DemandSample,
  PanicConfig,
  PanicConfigInput,
  PanicInput,
  PanicReason,
  PanicState,
  PanicStepResult,
  WindowAverage,
  WindowAverages,
} from './behavior/panic/index.js';
export {
  ScaleToZeroConfigSchema,
  initialScaleToZeroState,
  parseScaleToZeroConfig,
  scaleToZeroStep,
} from './behavior/scale-to-zero/index.js';
export type {
  ScaleToZeroAction,
  ScaleToZeroConfig,
  ScaleToZeroConfigInput,
  ScaleToZeroDecision,
  ScaleToZeroInput,
  ScaleToZeroReason,
  ScaleToZeroState,
} from './behavior/scale-to-zero/index.js';
export { planWarmPool, warmPoolSize } from './behavior/warm-pool/index.js';
export type {
  NeededReplicas,
  WarmPoolPlan,
  WarmPoolPlanInput,
  WarmPoolPlanReason,
  WarmPoolQuantileOver,
  WarmPoolSize,
  WarmPoolSizeInput,
} from './behavior/warm-pool/index.js';

export {
  AUTOSCALER_METRICS,
  AutoscalerStateSchema,
  DEFAULT_RETRY,
  backoffDelayMs,
  createAutoscaler,
  fleetReaderFromSource,
  mergeObservations,
  parseAutoscalerState,
  resolveRetryOptions,
  selectDrainVictims,
} from './runtime/index.js';
export type {
  ActuatedEvent,
  ActuationCallOptions,
  ActuationFailedEvent,
  ActuationResult,
  Actuator,
  Autoscaler,
  AutoscalerEventName,
  AutoscalerEvents,
  AutoscalerOptions,
  AutoscalerState,
  AutoscalerVerdict,
  DecisionCause,
  DecisionEvent,
  DrainEvent,
  FleetInventory,
  FleetReader,
  FleetReaderFromSourceOptions,
  FleetReading,
  InventoryInstance,
  PendingActuation,
  ResolvedRetryOptions,
  RetryOptions,
  SourceFailedEvent,
  SourceFailureMode,
  SupersededEvent,
  TickOutcome,
  TickSkippedEvent,
} from './runtime/index.js';

export { SCALE_DOWN_COOLDOWN_DEFAULT_MS, scaleDownCooldown } from './behavior/cooldown/index.js';
export type {
  ScaleDownCooldownConfig,
  ScaleDownCooldownInput,
  ScaleDownCooldownReason,
  ScaleDownCooldownResult,
} from './behavior/cooldown/index.js';
export type { AutoscalerGuards, GuardRefusal } from './runtime/index.js';
