import {
  HeadroomError,
  checkMetric,
  parseConfig,
  type ErrorPath,
  type MetricCheckOptions,
  type MetricProblem,
} from '@headroom/core';
import { z } from 'zod';

/**
 * How a step's `scalingAdjustment` is read, as in AWS Auto Scaling step scaling policies:
 *
 * - `ChangeInCapacity`: add the adjustment (a replica count, negative to remove).
 * - `ExactCapacity`: set the capacity to the adjustment (a replica count, at least 0).
 * - `PercentChangeInCapacity`: add the adjustment percent of the current capacity, rounded as AWS
 *   rounds it (see {@link roundPercentAdjustment}), then raised to `minAdjustmentMagnitude`.
 */
export const STEP_ADJUSTMENT_TYPES = [
  'ChangeInCapacity',
  'ExactCapacity',
  'PercentChangeInCapacity',
] as const;

/** One of {@link STEP_ADJUSTMENT_TYPES}. */
export type StepAdjustmentType = (typeof STEP_ADJUSTMENT_TYPES)[number];

/**
 * How the metric is compared with the alarm threshold (CloudWatch's `ComparisonOperator`). The
 * two `GreaterThan*` operators make a scale-out policy, the two `LessThan*` a scale-in policy.
 */
export const ALARM_COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

/** One of {@link ALARM_COMPARISONS}. */
export type AlarmComparison = (typeof ALARM_COMPARISONS)[number];

/**
 * One step: a range of the metric, relative to the alarm threshold, and the adjustment to make
 * when the metric falls in it. An absent lower bound is negative infinity, an absent upper bound
 * positive infinity (AWS's null bounds).
 */
export const StepAdjustmentSchema = z.strictObject({
  /**
   * Lower bound of the range, in metric units relative to the threshold (metric − threshold).
   * Inclusive above the threshold, exclusive below it. Absent: negative infinity.
   */
  metricIntervalLowerBound: z.number().optional(),
  /**
   * Upper bound of the range, in metric units relative to the threshold (metric − threshold).
   * Exclusive above the threshold, inclusive below it. Absent: positive infinity.
   */
  metricIntervalUpperBound: z.number().optional(),
  /**
   * The adjustment: replicas to add (`ChangeInCapacity`), the capacity to set (`ExactCapacity`,
   * at least 0) or a percent of the current capacity (`PercentChangeInCapacity`). An integer.
   */
  scalingAdjustment: z.number().int(),
});

/** A validated {@link StepAdjustmentSchema}. */
export type StepAdjustment = z.output<typeof StepAdjustmentSchema>;

const replicaCount = z.number().int().nonnegative();
const nonNegativeMs = z.number().nonnegative();

/**
 * The configuration of a step scaling policy with the semantics of AWS Auto Scaling step scaling
 * policies (EC2 Auto Scaling and Application Auto Scaling): a CloudWatch-style alarm
 * (`alarmThreshold`, `comparison`) and step adjustments whose bounds are relative to the
 * threshold.
 *
 * Besides the field bounds, the rules AWS applies to step adjustments are checked, each failure
 * naming the step and bound:
 *
 * - at least one step; no step without both bounds; a lower bound below its upper bound;
 * - steps given in ascending order, contiguous: each step's lower bound equals the previous
 *   step's upper bound (no overlap, no gap);
 * - only the first step may omit its lower bound, only the last its upper bound;
 * - if any bound is negative the first step omits its lower bound; if any bound is positive the
 *   last step omits its upper bound;
 * - a `GreaterThan*` (scale-out) policy has no finite bound below 0, a `LessThan*` (scale-in)
 *   policy none above 0: a range on the other side of the threshold could never match;
 * - `minAdjustmentMagnitude` only with `PercentChangeInCapacity`; an `ExactCapacity` adjustment
 *   is at least 0; `minCapacity <= maxCapacity`.
 *
 * Unknown keys are rejected, so a misspelt option fails instead of being ignored.
 */
export const StepScalingConfigSchema = z
  .strictObject({
    /** How `scalingAdjustment` is read; see {@link STEP_ADJUSTMENT_TYPES}. */
    adjustmentType: z.literal(STEP_ADJUSTMENT_TYPES),
    /** The steps, in ascending order of their bounds; see the rules above. */
    stepAdjustments: z.array(StepAdjustmentSchema).min(1).readonly(),
    /** The alarm threshold, in the metric's units. Step bounds are relative to it. */
    alarmThreshold: z.number(),
    /** How the metric is compared with the threshold; see {@link ALARM_COMPARISONS}. */
    comparison: z.literal(ALARM_COMPARISONS),
    /**
     * With `PercentChangeInCapacity` only: the smallest change, in replicas, a non-zero step makes.
     * An integer of at least 1. @defaultValue none (AWS's rounding only)
     */
    minAdjustmentMagnitude: z.number().int().min(1).optional(),
    /** The smallest capacity a decision proposes, replicas. */
    minCapacity: replicaCount,
    /** The largest capacity a decision proposes, replicas (at least `minCapacity`). */
    maxCapacity: replicaCount,
    /**
     * How long a scale-out made by this policy counts as in progress, ms (EC2 Auto Scaling's
     * `EstimatedInstanceWarmup`). While it is, a further scale-out is computed from the capacity
     * before it and adds only what exceeds it. @defaultValue 300_000 (AWS's default of 300 s)
     */
    estimatedInstanceWarmupMs: nonNegativeMs.default(300_000),
    /**
     * After a scale-in by this policy, how long further scale-in holds, ms (the scale-in side of
     * Application Auto Scaling's `Cooldown`; EC2 step policies have none). A scale-out is never
     * delayed by it and ends it. @defaultValue 0
     */
    cooldownMs: nonNegativeMs.default(0),
    /**
     * Accept negative metric values (a signed metric such as a difference). When false a negative
     * value is invalid and the decision holds. @defaultValue false
     */
    allowNegativeMetric: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    for (const issue of stepRuleViolations(config)) {
      ctx.addIssue({
        code: 'custom',
        message: `${issue.message} (limit ${issue.limit})`,
        path: [...issue.path],
        input: issue.value,
        params: { limit: issue.limit },
      });
    }
  });

/** What {@link parseStepScalingConfig} accepts: {@link StepScalingConfigSchema}'s input. */
export type StepScalingConfigInput = z.input<typeof StepScalingConfigSchema>;

/** A validated, frozen {@link StepScalingConfigSchema}, defaults filled in. */
export type StepScalingConfig = Readonly<z.output<typeof StepScalingConfigSchema>>;

interface RuleViolation {
  readonly path: ErrorPath;
  readonly value: unknown;
  readonly limit: string;
  readonly message: string;
}

function isScaleOutComparison(comparison: AlarmComparison): boolean {
  return comparison === 'GreaterThanOrEqualToThreshold' || comparison === 'GreaterThanThreshold';
}

/** The cross-field rules of AWS step adjustments (the schema checks single fields). */
function stepRuleViolations(config: z.output<typeof StepScalingConfigSchema>): RuleViolation[] {
  const out: RuleViolation[] = [];
  const steps = config.stepAdjustments;
  const last = steps.length - 1;
  const lowerPath = (i: number): ErrorPath => ['stepAdjustments', i, 'metricIntervalLowerBound'];
  const upperPath = (i: number): ErrorPath => ['stepAdjustments', i, 'metricIntervalUpperBound'];

  if (config.maxCapacity < config.minCapacity) {
    out.push({
      path: ['maxCapacity'],
      value: config.maxCapacity,
      limit: `>= minCapacity (${config.minCapacity})`,
      message: 'maxCapacity must be at least minCapacity',
    });
  }
  if (
    config.minAdjustmentMagnitude !== undefined &&
    config.adjustmentType !== 'PercentChangeInCapacity'
  ) {
    out.push({
      path: ['minAdjustmentMagnitude'],
      value: config.minAdjustmentMagnitude,
      limit: 'only with adjustmentType PercentChangeInCapacity',
      message: `minAdjustmentMagnitude applies only to PercentChangeInCapacity, not ${config.adjustmentType}`,
    });
  }

  steps.forEach((step, i) => {
    const lower = step.metricIntervalLowerBound;
    const upper = step.metricIntervalUpperBound;
    if (config.adjustmentType === 'ExactCapacity' && step.scalingAdjustment < 0) {
      out.push({
        path: ['stepAdjustments', i, 'scalingAdjustment'],
        value: step.scalingAdjustment,
        limit: '>= 0',
        message: 'an ExactCapacity adjustment is a capacity and cannot be negative',
      });
    }
    if (lower === undefined && upper === undefined) {
      out.push({
        path: ['stepAdjustments', i],
        value: step,
        limit: 'at least one bound',
        message: 'a step cannot omit both its lower and its upper bound',
      });
    }
    if (lower !== undefined && upper !== undefined && !(lower < upper)) {
      out.push({
        path: upperPath(i),
        value: upper,
        limit: `> metricIntervalLowerBound (${lower})`,
        message: 'the upper bound must be above the lower bound',
      });
    }
    if (lower === undefined && i > 0) {
      out.push({
        path: lowerPath(i),
        value: lower,
        limit: 'only the first step may omit its lower bound',
        message:
          'only one step (the first, in ascending order) may have a lower bound of -infinity',
      });
    }
    if (upper === undefined && i < last) {
      out.push({
        path: upperPath(i),
        value: upper,
        limit: 'only the last step may omit its upper bound',
        message:
          'only one step (the last, in ascending order) may have an upper bound of +infinity',
      });
    }
    const previous = i > 0 ? steps[i - 1] : undefined;
    const previousUpper = previous?.metricIntervalUpperBound;
    if (lower !== undefined && previousUpper !== undefined && lower !== previousUpper) {
      const what =
        lower < previousUpper
          ? 'overlaps the previous step (or the steps are not in ascending order)'
          : 'leaves a gap after the previous step';
      out.push({
        path: lowerPath(i),
        value: lower,
        limit: `= stepAdjustments[${i - 1}].metricIntervalUpperBound (${previousUpper})`,
        message: `the step ${what}; steps must be contiguous`,
      });
    }
  });

  const first = steps[0];
  const final = steps[last];
  if (first === undefined || final === undefined) return out;
  const bounds = steps.flatMap((s) =>
    [s.metricIntervalLowerBound, s.metricIntervalUpperBound].filter(
      (b): b is number => b !== undefined,
    ),
  );
  if (first.metricIntervalLowerBound !== undefined && bounds.some((b) => b < 0)) {
    out.push({
      path: lowerPath(0),
      value: first.metricIntervalLowerBound,
      limit: 'absent (-infinity) when any bound is negative',
      message: 'a policy with a negative bound needs a first step with no lower bound',
    });
  }
  if (final.metricIntervalUpperBound !== undefined && bounds.some((b) => b > 0)) {
    out.push({
      path: upperPath(last),
      value: final.metricIntervalUpperBound,
      limit: 'absent (+infinity) when any bound is positive',
      message: 'a policy with a positive bound needs a last step with no upper bound',
    });
  }
  const scaleOut = isScaleOutComparison(config.comparison);
  steps.forEach((step, i) => {
    const lower = step.metricIntervalLowerBound;
    const upper = step.metricIntervalUpperBound;
    if (scaleOut) {
      if (lower !== undefined && lower < 0) {
        out.push({
          path: lowerPath(i),
          value: lower,
          limit: `>= 0 for ${config.comparison}`,
          message:
            'a GreaterThan alarm is breached only at or above the threshold, so a bound below 0 can never match',
        });
      }
      if (upper !== undefined && upper <= 0) {
        out.push({
          path: upperPath(i),
          value: upper,
          limit: `> 0 for ${config.comparison}`,
          message:
            'a GreaterThan alarm is breached only at or above the threshold, so this range can never match',
        });
      }
    } else {
      if (upper !== undefined && upper > 0) {
        out.push({
          path: upperPath(i),
          value: upper,
          limit: `<= 0 for ${config.comparison}`,
          message:
            'a LessThan alarm is breached only at or below the threshold, so a bound above 0 can never match',
        });
      }
      if (lower !== undefined && lower >= 0) {
        out.push({
          path: lowerPath(i),
          value: lower,
          limit: `< 0 for ${config.comparison}`,
          message:
            'a LessThan alarm is breached only at or below the threshold, so this range can never match',
        });
      }
    }
  });
  return out;
}

const validated = new WeakMap<object, StepScalingConfig>();

/**
 * Validates a step scaling configuration once: returns it deeply frozen with defaults filled in.
 * {@link stepScalingDecision} accepts either the result or the raw input (validated on first use
 * and remembered per object), so calling this first only moves the failure to start-up.
 *
 * @param input - the configuration; see {@link StepScalingConfigSchema}.
 * @param path - where the configuration sits in a larger one, prefixed to error paths.
 * @defaultValue `[]`
 * @throws `HeadroomError` `invalid_config` naming the path (for example
 * `stepAdjustments[1].metricIntervalLowerBound`), the bound it broke and the offending value.
 * @example
 * ```ts
 * const config = parseStepScalingConfig({
 *   adjustmentType: 'PercentChangeInCapacity',
 *   alarmThreshold: 50,
 *   comparison: 'GreaterThanOrEqualToThreshold',
 *   stepAdjustments: [
 *     { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 0 },
 *     { metricIntervalLowerBound: 10, metricIntervalUpperBound: 20, scalingAdjustment: 10 },
 *     { metricIntervalLowerBound: 20, scalingAdjustment: 30 },
 *   ],
 *   minCapacity: 1,
 *   maxCapacity: 40,
 * });
 * ```
 */
export function parseStepScalingConfig(
  input: StepScalingConfigInput,
  path: ErrorPath = [],
): StepScalingConfig {
  const config: StepScalingConfig = parseConfig(StepScalingConfigSchema, input, path);
  validated.set(config, config);
  return config;
}

function resolveConfig(config: StepScalingConfigInput | StepScalingConfig): StepScalingConfig {
  const known = validated.get(config);
  if (known !== undefined) return known;
  const parsed = parseStepScalingConfig(config);
  validated.set(config, parsed);
  return parsed;
}

/**
 * A scale-out made by the policy that is still in progress (its new replicas are warming up).
 */
export interface StepScalingWarmup {
  /** When the scale-out was decided, epoch ms. */
  readonly startedAtMs: number;
  /** The capacity before the in-progress scale-out, replicas: the base of further scale-outs. */
  readonly fromReplicas: number;
  /** The capacity the in-progress scale-out asked for, replicas. */
  readonly toReplicas: number;
}

/**
 * What {@link stepScalingDecision} remembers between calls: plain JSON-serializable data, so a
 * new leader or the simulator resumes where the last one stopped.
 */
export interface StepScalingState {
  /** The in-progress scale-out, or null when none is. */
  readonly warming: StepScalingWarmup | null;
  /** When this policy last scaled in, epoch ms, or null (starts the scale-in cooldown). */
  readonly lastScaleInAtMs: number | null;
}

/**
 * The state of a policy that has not acted yet.
 *
 * @example
 * ```ts
 * let state = createStepScalingState();
 * ```
 */
export function createStepScalingState(): StepScalingState {
  return { warming: null, lastScaleInAtMs: null };
}

/** One evaluation's input to {@link stepScalingDecision}. */
export interface StepScalingInput {
  /** The current (desired) capacity, replicas: a non-negative integer. */
  readonly currentCapacity: number;
  /** The alarm metric's latest value, in the metric's units; `undefined` when unknown. */
  readonly metricValue: number | undefined;
  /** When the metric was sampled, epoch ms; needed when `maxMetricAgeMs` is set. */
  readonly metricSampledAtMs?: number | undefined;
  /** The decision time, epoch ms. */
  readonly nowMs: number;
  /**
   * The oldest acceptable metric, ms. With it, a metric without `metricSampledAtMs` counts as
   * stale. @defaultValue no limit
   */
  readonly maxMetricAgeMs?: number | undefined;
}

/**
 * Why a scale happened: `scale_out`, `scale_in`, or `scale_out_over_warming` (a larger step than
 * the in-progress scale-out's, adding only the difference).
 */
export type StepScaleReason = 'scale_out' | 'scale_out_over_warming' | 'scale_in';

/**
 * Why a decision holds:
 *
 * - `alarm_not_breached`: the metric does not meet the alarm's comparison.
 * - `metric_missing`, `metric_invalid` (NaN, infinite, negative without `allowNegativeMetric`, or
 *   dated in the future), `metric_stale` (older than `maxMetricAgeMs`, or of unknown age).
 * - `capacity_invalid`: `currentCapacity` is not a non-negative integer.
 * - `no_matching_step`: the breach falls in no step's range.
 * - `no_change`: the matched step asks for no change (an adjustment of 0, or an `ExactCapacity`
 *   equal to the current capacity).
 * - `at_bound`: the change would cross `minCapacity` or `maxCapacity`.
 * - `warming`: a scale-out is in progress and the matched step asks for no more than it.
 * - `cooldown`: a scale-in within `cooldownMs` of the last one.
 */
export type StepHoldReason =
  | 'alarm_not_breached'
  | 'metric_missing'
  | 'metric_invalid'
  | 'metric_stale'
  | 'capacity_invalid'
  | 'no_matching_step'
  | 'no_change'
  | 'at_bound'
  | 'warming'
  | 'cooldown';

/** A decision to change the capacity. */
export interface StepScaleDecision {
  /** Discriminant. */
  readonly kind: 'scale';
  /** The current capacity, replicas. */
  readonly from: number;
  /** The capacity to set, replicas: an integer within `[minCapacity, maxCapacity]`. */
  readonly to: number;
  /** `to - from`, replicas: positive for a scale-out, negative for a scale-in. */
  readonly adjustment: number;
  /** Index of the matched step in `stepAdjustments`. */
  readonly stepIndex: number;
  /** Why; see {@link StepScaleReason}. */
  readonly reason: StepScaleReason;
  /** The arithmetic behind it, for a person to read (not a stable format). */
  readonly detail: string;
}

/** A decision to keep the capacity. */
export interface StepHoldDecision {
  /** Discriminant. */
  readonly kind: 'hold';
  /**
   * The capacity to keep, replicas: the current capacity clamped to `[minCapacity,
   * maxCapacity]` (`minCapacity` when the current capacity is invalid).
   */
  readonly replicas: number;
  /** Why; see {@link StepHoldReason}. */
  readonly reason: StepHoldReason;
  /** Index of the matched step, when a step matched. */
  readonly stepIndex?: number;
}

/** The outcome of one {@link stepScalingDecision}. */
export type StepScalingDecision = StepScaleDecision | StepHoldDecision;

/** What {@link stepScalingDecision} returns: the decision and the state for the next call. */
export interface StepScalingResult {
  /** The decision. */
  readonly decision: StepScalingDecision;
  /** The state to pass to the next call. */
  readonly state: StepScalingState;
}

/**
 * Rounds a `PercentChangeInCapacity` result the way AWS Auto Scaling step scaling policies do: a
 * value between 0 and 1 becomes 1, one between −1 and 0 becomes −1, and any other is rounded
 * toward zero (12.7 → 12, −6.67 → −6).
 *
 * @param replicas - the unrounded change, replicas (capacity × percent / 100).
 * @returns the change as an integer count of replicas.
 * @example
 * ```ts
 * roundPercentAdjustment(0.4); // 1
 * roundPercentAdjustment(-6.67); // -6
 * ```
 */
export function roundPercentAdjustment(replicas: number): number {
  if (replicas > 0 && replicas < 1) return 1;
  if (replicas < 0 && replicas > -1) return -1;
  return Math.trunc(replicas);
}

function matchStep(steps: readonly StepAdjustment[], diff: number, scaleOut: boolean): number {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step === undefined) continue;
    const lower = step.metricIntervalLowerBound;
    const upper = step.metricIntervalUpperBound;
    // Above the threshold AWS reads a range as [lower, upper); below it, as (lower, upper].
    const aboveLower = lower === undefined || (scaleOut ? diff >= lower : diff > lower);
    const belowUpper = upper === undefined || (scaleOut ? diff < upper : diff <= upper);
    if (aboveLower && belowUpper) return i;
  }
  return -1;
}

function breached(comparison: AlarmComparison, metric: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return metric >= threshold;
    case 'GreaterThanThreshold':
      return metric > threshold;
    case 'LessThanThreshold':
      return metric < threshold;
    case 'LessThanOrEqualToThreshold':
      return metric <= threshold;
  }
}

/** The capacity a step asks for from `base`, before clamping; always an integer (or ±Infinity). */
function desiredCapacity(config: StepScalingConfig, step: StepAdjustment, base: number): number {
  const adjustment = step.scalingAdjustment;
  switch (config.adjustmentType) {
    case 'ExactCapacity':
      return adjustment;
    case 'ChangeInCapacity':
      return base + adjustment;
    case 'PercentChangeInCapacity': {
      let change = roundPercentAdjustment((base * adjustment) / 100);
      const magnitude = config.minAdjustmentMagnitude;
      if (magnitude !== undefined && adjustment !== 0 && Math.abs(change) < magnitude) {
        change = Math.sign(adjustment) * magnitude;
      }
      return base + change;
    }
  }
}

function describeStep(config: StepScalingConfig, step: StepAdjustment, base: number): string {
  const adjustment = step.scalingAdjustment;
  switch (config.adjustmentType) {
    case 'ExactCapacity':
      return `set capacity to ${adjustment}`;
    case 'ChangeInCapacity':
      return `${base} ${adjustment < 0 ? '-' : '+'} ${Math.abs(adjustment)}`;
    case 'PercentChangeInCapacity':
      return `${base} ${adjustment < 0 ? '-' : '+'} ${Math.abs(adjustment)}% (${desiredCapacity(config, step, base) - base} after rounding)`;
  }
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Accepts state from anywhere (JSON from a previous leader): anything malformed is dropped. */
function normaliseState(state: StepScalingState | undefined): StepScalingState {
  if (state === undefined || state === null) return createStepScalingState();
  const w = state.warming as Partial<StepScalingWarmup> | null | undefined;
  const startedAtMs = finiteOrNull(w?.startedAtMs);
  const fromReplicas = finiteOrNull(w?.fromReplicas);
  const toReplicas = finiteOrNull(w?.toReplicas);
  const warming =
    startedAtMs !== null && fromReplicas !== null && toReplicas !== null
      ? { startedAtMs, fromReplicas, toReplicas }
      : null;
  return { warming, lastScaleInAtMs: finiteOrNull(state.lastScaleInAtMs) };
}

const COMPARISON_SYMBOL = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
} as const satisfies Record<AlarmComparison, string>;

const METRIC_HOLD = {
  missing: 'metric_missing',
  not_finite: 'metric_invalid',
  negative: 'metric_invalid',
  from_future: 'metric_invalid',
  stale: 'metric_stale',
} as const satisfies Record<MetricProblem, StepHoldReason>;

/**
 * One evaluation of a step scaling policy with the semantics of AWS Auto Scaling step scaling
 * policies: if the metric breaches the alarm, the step whose range (relative to the threshold)
 * contains the breach decides the change.
 *
 * - Ranges are read as AWS reads them: above the threshold the lower bound is inclusive and the
 *   upper exclusive, below it the lower bound is exclusive and the upper inclusive.
 * - `PercentChangeInCapacity` rounds as {@link roundPercentAdjustment}, then applies
 *   `minAdjustmentMagnitude`. `ExactCapacity` sets the capacity.
 * - Warm-up (EC2 Auto Scaling's): while a scale-out by this policy is within
 *   `estimatedInstanceWarmupMs`, a further scale-out is computed from the capacity before it, and
 *   happens only if it asks for more; then it adds just the difference. AWS's own example: 10
 *   replicas, +10% adds 1; while it warms, +30% asks for 13, so 2 more are added, not 3.
 * - Cooldown (the scale-in side of Application Auto Scaling's): a scale-in holds within
 *   `cooldownMs` of the previous one. A scale-out is never delayed by it, and ends it.
 * - The result is always an integer within `[minCapacity, maxCapacity]`, and a step never moves
 *   the capacity against its own direction (a scale-out step above `maxCapacity` holds).
 *
 * Bad runtime data never throws: a missing, NaN, infinite, negative (unless allowed), stale or
 * future-dated metric, or an invalid `currentCapacity`, is a hold with that reason. Malformed
 * `state` (for example from a corrupt JSON file) is treated as the initial state.
 *
 * @param config - a configuration from {@link parseStepScalingConfig}, or its raw input
 * (validated on first use and remembered per object: do not mutate it afterwards).
 * @param state - the state from the previous call; `undefined` for the first.
 * @param input - the capacity, the metric and the time.
 * @returns the decision and the next state.
 * @throws `HeadroomError` `invalid_config` if `config` is raw input that fails validation;
 * `invalid_argument` if `input.nowMs` is not finite.
 * @example
 * ```ts
 * let state = createStepScalingState();
 * const { decision, state: next } = stepScalingDecision(config, state, {
 *   currentCapacity: 10,
 *   metricValue: 60,
 *   metricSampledAtMs: nowMs - 5_000,
 *   maxMetricAgeMs: 60_000,
 *   nowMs,
 * });
 * // decision: { kind: 'scale', from: 10, to: 11, adjustment: 1, stepIndex: 1, reason: 'scale_out', ... }
 * state = next;
 * ```
 */
export function stepScalingDecision(
  config: StepScalingConfigInput | StepScalingConfig,
  state: StepScalingState | undefined,
  input: StepScalingInput,
): StepScalingResult {
  const c = resolveConfig(config);
  const nowMs = input.nowMs + 0;
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new HeadroomError({
      code: 'invalid_argument',
      message: 'nowMs must be a finite epoch time in ms',
      path: ['nowMs'],
      value: nowMs,
      limit: 'finite',
    });
  }
  const prior = normaliseState(state);
  const warmingActive =
    prior.warming !== null && nowMs - prior.warming.startedAtMs < c.estimatedInstanceWarmupMs;
  const carried: StepScalingState = {
    warming: warmingActive ? prior.warming : null,
    lastScaleInAtMs: prior.lastScaleInAtMs,
  };
  const clamp = (replicas: number): number =>
    Math.min(c.maxCapacity, Math.max(c.minCapacity, replicas));
  const hold = (
    replicas: number,
    reason: StepHoldReason,
    stepIndex?: number,
  ): StepScalingResult => ({
    decision:
      stepIndex === undefined
        ? { kind: 'hold', replicas, reason }
        : { kind: 'hold', replicas, reason, stepIndex },
    state: carried,
  });

  const rawCapacity = input.currentCapacity;
  if (typeof rawCapacity !== 'number' || !Number.isInteger(rawCapacity) || rawCapacity < 0) {
    return hold(c.minCapacity, 'capacity_invalid');
  }
  const current = rawCapacity + 0; // −0 becomes 0, so state and decisions survive JSON
  const keep = clamp(current);

  const maxAgeMs = input.maxMetricAgeMs;
  if (maxAgeMs !== undefined && !(typeof maxAgeMs === 'number' && maxAgeMs >= 0)) {
    return hold(keep, 'metric_stale');
  }
  const checkOptions: MetricCheckOptions = {
    nowMs,
    sampledAtMs: input.metricSampledAtMs,
    allowNegative: c.allowNegativeMetric,
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
  };
  const metric = checkMetric(input.metricValue, checkOptions);
  if (!metric.ok) return hold(keep, METRIC_HOLD[metric.problem]);

  if (!breached(c.comparison, metric.value, c.alarmThreshold)) {
    return hold(keep, 'alarm_not_breached');
  }
  const scaleOutPolicy = isScaleOutComparison(c.comparison);
  const stepIndex = matchStep(c.stepAdjustments, metric.value - c.alarmThreshold, scaleOutPolicy);
  const step = c.stepAdjustments[stepIndex];
  if (step === undefined) return hold(keep, 'no_matching_step');

  const breach = `metric ${metric.value} ${COMPARISON_SYMBOL[c.comparison]} threshold ${c.alarmThreshold}; step ${stepIndex}`;
  const desired = desiredCapacity(c, step, current);
  const scale = (
    target: number,
    reason: StepScaleReason,
    detail: string,
    next: StepScalingState,
  ): StepScalingResult => ({
    decision: {
      kind: 'scale',
      from: current,
      to: target,
      adjustment: target - current,
      stepIndex,
      reason,
      detail,
    },
    state: next,
  });
  const stepDetail = (target: number): string =>
    `${breach}: ${describeStep(c, step, current)}${target === desired ? '' : `, clamped to ${target}`}`;

  if (desired > current) {
    if (current >= c.maxCapacity) return hold(keep, 'at_bound', stepIndex);
    const warming = carried.warming;
    if (warming !== null) {
      // AWS: the step is computed from the capacity before the in-progress scale-out, and only
      // what exceeds that scale-out is added.
      const target = clamp(desiredCapacity(c, step, warming.fromReplicas));
      if (target <= warming.toReplicas || target <= current) {
        return hold(keep, 'warming', stepIndex);
      }
      return scale(
        target,
        'scale_out_over_warming',
        `${breach}: ${describeStep(c, step, warming.fromReplicas)} from the capacity before the scale-out to ${warming.toReplicas} in progress`,
        {
          warming: { startedAtMs: nowMs, fromReplicas: warming.fromReplicas, toReplicas: target },
          lastScaleInAtMs: null,
        },
      );
    }
    const target = clamp(desired);
    return scale(target, 'scale_out', stepDetail(target), {
      warming: { startedAtMs: nowMs, fromReplicas: current, toReplicas: target },
      lastScaleInAtMs: null,
    });
  }

  if (desired < current) {
    if (current <= c.minCapacity) return hold(keep, 'at_bound', stepIndex);
    if (carried.lastScaleInAtMs !== null && nowMs - carried.lastScaleInAtMs < c.cooldownMs) {
      return hold(keep, 'cooldown', stepIndex);
    }
    const target = clamp(desired);
    return scale(target, 'scale_in', stepDetail(target), {
      warming: null,
      lastScaleInAtMs: nowMs,
    });
  }

  return hold(keep, 'no_change', stepIndex);
}
