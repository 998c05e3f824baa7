import { type HeadroomError } from '@headroom/core';
import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../../tools/test-utils.js';
import {
  createStepScalingState,
  parseStepScalingConfig,
  roundPercentAdjustment,
  stepScalingDecision,
  type StepScalingConfigInput,
  type StepScalingInput,
  type StepScalingResult,
  type StepScalingState,
} from './index.js';

// AWS Auto Scaling step scaling policies, "Step adjustments": the documentation's example of an
// alarm with a breach threshold of 50 and a scale-out and a scale-in policy, both with percent
// adjustments. Bounds are relative to the threshold.
const scaleOut = parseStepScalingConfig({
  adjustmentType: 'PercentChangeInCapacity',
  alarmThreshold: 50,
  comparison: 'GreaterThanOrEqualToThreshold',
  stepAdjustments: [
    { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 0 },
    { metricIntervalLowerBound: 10, metricIntervalUpperBound: 20, scalingAdjustment: 10 },
    { metricIntervalLowerBound: 20, scalingAdjustment: 30 },
  ],
  minCapacity: 1,
  maxCapacity: 200,
  estimatedInstanceWarmupMs: 300_000,
});

const scaleIn = parseStepScalingConfig({
  adjustmentType: 'PercentChangeInCapacity',
  alarmThreshold: 50,
  comparison: 'LessThanOrEqualToThreshold',
  stepAdjustments: [
    { metricIntervalUpperBound: -20, scalingAdjustment: -30 },
    { metricIntervalLowerBound: -20, metricIntervalUpperBound: -10, scalingAdjustment: -10 },
    { metricIntervalLowerBound: -10, metricIntervalUpperBound: 0, scalingAdjustment: 0 },
  ],
  minCapacity: 1,
  maxCapacity: 100,
});

const T0 = Date.UTC(2025, 0, 1);

function decide(
  config: StepScalingConfigInput,
  metricValue: number | undefined,
  currentCapacity = 10,
  state?: StepScalingState,
  extra: Partial<StepScalingInput> = {},
): StepScalingResult {
  return stepScalingDecision(config, state, { currentCapacity, metricValue, nowMs: T0, ...extra });
}

const configError = (input: unknown): HeadroomError =>
  thrownError(() => parseStepScalingConfig(input as StepScalingConfigInput));

describe('stepScalingDecision: AWS documented example (threshold 50, capacity 10)', () => {
  it('metric 60 is 10 above: [10, 20) matches (lower inclusive), +10% of 10 = +1 → 11', () => {
    const { decision } = decide(scaleOut, 60);
    expect(decision).toMatchObject({
      kind: 'scale',
      from: 10,
      to: 11,
      adjustment: 1,
      stepIndex: 1,
      reason: 'scale_out',
    });
  });

  it('metric 70 is 20 above: [20, +∞) matches, +30% of 10 = +3 → 13', () => {
    const { decision } = decide(scaleOut, 70);
    expect(decision).toMatchObject({
      kind: 'scale',
      from: 10,
      to: 13,
      adjustment: 3,
      stepIndex: 2,
    });
  });

  it('metric 55 is 5 above: [0, 10) matches with adjustment 0, so it holds with no_change', () => {
    expect(decide(scaleOut, 55).decision).toEqual({
      kind: 'hold',
      replicas: 10,
      reason: 'no_change',
      stepIndex: 0,
    });
  });

  it('metric 59.999 is just under 10 above: the upper bound 10 is exclusive above the threshold', () => {
    expect(decide(scaleOut, 59.999).decision).toMatchObject({ kind: 'hold', stepIndex: 0 });
  });

  it('metric 50 meets GreaterThanOrEqualToThreshold: the lower bound 0 is inclusive', () => {
    expect(decide(scaleOut, 50).decision).toMatchObject({ kind: 'hold', reason: 'no_change' });
  });

  it('metric 49 does not breach: alarm_not_breached', () => {
    expect(decide(scaleOut, 49).decision).toEqual({
      kind: 'hold',
      replicas: 10,
      reason: 'alarm_not_breached',
    });
  });

  it('scale-in, metric 40 is 10 below: (−20, −10] matches (upper inclusive below), −10% of 10 = −1 → 9', () => {
    expect(decide(scaleIn, 40).decision).toMatchObject({
      kind: 'scale',
      from: 10,
      to: 9,
      adjustment: -1,
      stepIndex: 1,
      reason: 'scale_in',
    });
  });

  it('scale-in, metric 30 is 20 below: (−∞, −20] matches, −30% of 10 = −3 → 7', () => {
    expect(decide(scaleIn, 30).decision).toMatchObject({ kind: 'scale', to: 7, stepIndex: 0 });
  });

  it('scale-in, metric 45 is 5 below: (−10, 0] with adjustment 0 holds', () => {
    expect(decide(scaleIn, 45).decision).toMatchObject({ kind: 'hold', reason: 'no_change' });
  });

  it('warm-up (AWS example): +1 to 11; while warming 62 adds nothing; 70 asks 30% of 10 = 3, adds 2 → 13', () => {
    const first = decide(scaleOut, 60);
    expect(first.decision).toMatchObject({ kind: 'scale', to: 11 });
    expect(first.state.warming).toEqual({ startedAtMs: T0, fromReplicas: 10, toReplicas: 11 });

    const second = stepScalingDecision(scaleOut, first.state, {
      currentCapacity: 11,
      metricValue: 62,
      nowMs: T0 + 60_000,
    });
    expect(second.decision).toEqual({
      kind: 'hold',
      replicas: 11,
      reason: 'warming',
      stepIndex: 1,
    });

    const third = stepScalingDecision(scaleOut, second.state, {
      currentCapacity: 11,
      metricValue: 70,
      nowMs: T0 + 120_000,
    });
    expect(third.decision).toMatchObject({
      kind: 'scale',
      from: 11,
      to: 13,
      adjustment: 2,
      stepIndex: 2,
      reason: 'scale_out_over_warming',
    });
    expect(third.state.warming).toEqual({
      startedAtMs: T0 + 120_000,
      fromReplicas: 10,
      toReplicas: 13,
    });
  });

  it('after the warm-up, a scale-out is computed from the current capacity again', () => {
    const first = decide(scaleOut, 60);
    const later = stepScalingDecision(scaleOut, first.state, {
      currentCapacity: 11,
      metricValue: 60,
      nowMs: T0 + 300_000,
    });
    // 10% of 11 = 1.1, rounded toward zero: +1.
    expect(later.decision).toMatchObject({ kind: 'scale', from: 11, to: 12 });
  });
});

describe('PercentChangeInCapacity rounding (AWS)', () => {
  it('rounds (0, 1) up to 1, (−1, 0) down to −1, and anything else toward zero', () => {
    expect(roundPercentAdjustment(0.4)).toBe(1);
    expect(roundPercentAdjustment(-0.4)).toBe(-1);
    expect(roundPercentAdjustment(12.7)).toBe(12);
    expect(roundPercentAdjustment(-6.67)).toBe(-6);
    expect(roundPercentAdjustment(1)).toBe(1);
    expect(roundPercentAdjustment(-1)).toBe(-1);
    expect(roundPercentAdjustment(0)).toBe(0);
  });

  it('+10% of 127 = 12.7 → +12 → 139', () => {
    expect(decide(scaleOut, 60, 127).decision).toMatchObject({ to: 139, adjustment: 12 });
  });

  it('−10% of 3 = −0.3 → −1 → 2', () => {
    expect(decide(scaleIn, 40, 3).decision).toMatchObject({ to: 2, adjustment: -1 });
  });

  it('−30% of 22 = −6.6 → −6 → 16', () => {
    expect(decide(scaleIn, 30, 22).decision).toMatchObject({ to: 16, adjustment: -6 });
  });

  it('minAdjustmentMagnitude 2 raises +10% of 10 (= +1) to +2', () => {
    const config = { ...scaleOut, minAdjustmentMagnitude: 2 };
    expect(decide(config, 60).decision).toMatchObject({ to: 12, adjustment: 2 });
    // 30% of 10 = 3 is already above the minimum.
    expect(decide(config, 70).decision).toMatchObject({ to: 13, adjustment: 3 });
  });
});

describe('ChangeInCapacity and ExactCapacity', () => {
  const change: StepScalingConfigInput = {
    adjustmentType: 'ChangeInCapacity',
    alarmThreshold: 0.8,
    comparison: 'GreaterThanThreshold',
    stepAdjustments: [
      { metricIntervalLowerBound: 0, metricIntervalUpperBound: 0.1, scalingAdjustment: 1 },
      { metricIntervalLowerBound: 0.1, scalingAdjustment: 4 },
    ],
    minCapacity: 2,
    maxCapacity: 20,
  };

  it('adds the step adjustment', () => {
    expect(decide(change, 0.85, 5).decision).toMatchObject({ kind: 'scale', to: 6 });
    expect(decide(change, 0.95, 5).decision).toMatchObject({ kind: 'scale', to: 9 });
  });

  it('GreaterThanThreshold is not breached at the threshold itself', () => {
    expect(decide(change, 0.8, 5).decision).toMatchObject({ reason: 'alarm_not_breached' });
  });

  it('clamps to maxCapacity, and holds at_bound when already there', () => {
    expect(decide(change, 0.95, 18).decision).toMatchObject({ kind: 'scale', to: 20 });
    expect(decide(change, 0.95, 20).decision).toEqual({
      kind: 'hold',
      replicas: 20,
      reason: 'at_bound',
      stepIndex: 1,
    });
  });

  it('never moves against the step: a scale-out above maxCapacity holds at the clamped capacity', () => {
    expect(decide(change, 0.95, 25).decision).toMatchObject({
      kind: 'hold',
      replicas: 20,
      reason: 'at_bound',
    });
  });

  it('ExactCapacity sets the capacity, clamped', () => {
    const exact: StepScalingConfigInput = {
      ...change,
      adjustmentType: 'ExactCapacity',
      stepAdjustments: [
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 0.1, scalingAdjustment: 8 },
        { metricIntervalLowerBound: 0.1, scalingAdjustment: 50 },
      ],
    };
    expect(decide(exact, 0.85, 5).decision).toMatchObject({ kind: 'scale', to: 8, adjustment: 3 });
    expect(decide(exact, 0.85, 12).decision).toMatchObject({
      kind: 'scale',
      to: 8,
      adjustment: -4,
    });
    expect(decide(exact, 0.85, 8).decision).toMatchObject({ kind: 'hold', reason: 'no_change' });
    expect(decide(exact, 0.95, 5).decision).toMatchObject({ kind: 'scale', to: 20 });
  });

  it('holds no_matching_step when the breach is below the first step', () => {
    const config: StepScalingConfigInput = {
      ...change,
      stepAdjustments: [{ metricIntervalLowerBound: 0.1, scalingAdjustment: 2 }],
    };
    expect(decide(config, 0.85, 5).decision).toEqual({
      kind: 'hold',
      replicas: 5,
      reason: 'no_matching_step',
    });
  });
});

describe('scale-in cooldown (Application Auto Scaling)', () => {
  const config: StepScalingConfigInput = {
    adjustmentType: 'ChangeInCapacity',
    alarmThreshold: 10,
    comparison: 'LessThanThreshold',
    stepAdjustments: [{ metricIntervalUpperBound: 0, scalingAdjustment: -1 }],
    minCapacity: 0,
    maxCapacity: 10,
    cooldownMs: 600_000,
  };

  it('holds a second scale-in within cooldownMs and allows it after', () => {
    const first = decide(config, 5, 6);
    expect(first.decision).toMatchObject({ kind: 'scale', to: 5 });
    expect(first.state.lastScaleInAtMs).toBe(T0);
    const during = stepScalingDecision(config, first.state, {
      currentCapacity: 5,
      metricValue: 5,
      nowMs: T0 + 599_999,
    });
    expect(during.decision).toMatchObject({ kind: 'hold', reason: 'cooldown', replicas: 5 });
    const after = stepScalingDecision(config, during.state, {
      currentCapacity: 5,
      metricValue: 5,
      nowMs: T0 + 600_000,
    });
    expect(after.decision).toMatchObject({ kind: 'scale', to: 4 });
  });

  it('a scale-out ends the scale-in cooldown', () => {
    const inThenOut: StepScalingConfigInput = {
      ...config,
      comparison: 'LessThanThreshold',
      alarmThreshold: 10,
      stepAdjustments: [
        { metricIntervalUpperBound: -5, scalingAdjustment: 2 },
        { metricIntervalLowerBound: -5, metricIntervalUpperBound: 0, scalingAdjustment: -1 },
      ],
    };
    const first = decide(inThenOut, 8, 6);
    expect(first.decision).toMatchObject({ kind: 'scale', to: 5 });
    const out = stepScalingDecision(inThenOut, first.state, {
      currentCapacity: 5,
      metricValue: 1,
      nowMs: T0 + 1_000,
    });
    expect(out.decision).toMatchObject({ kind: 'scale', to: 7, reason: 'scale_out' });
    expect(out.state.lastScaleInAtMs).toBeNull();
  });

  it('holds at_bound at minCapacity', () => {
    expect(decide(config, 5, 0).decision).toMatchObject({ reason: 'at_bound', replicas: 0 });
  });
});

describe('bad runtime data holds, never throws', () => {
  it.each([
    [undefined, 'metric_missing'],
    [Number.NaN, 'metric_invalid'],
    [Number.POSITIVE_INFINITY, 'metric_invalid'],
    [Number.NEGATIVE_INFINITY, 'metric_invalid'],
    [-1, 'metric_invalid'],
  ] as const)('metric %s holds with %s', (metric, reason) => {
    expect(decide(scaleOut, metric).decision).toEqual({ kind: 'hold', replicas: 10, reason });
  });

  it('accepts negative metrics with allowNegativeMetric', () => {
    const signed: StepScalingConfigInput = {
      ...scaleOut,
      alarmThreshold: -20,
      allowNegativeMetric: true,
    };
    expect(decide(signed, -10).decision).toMatchObject({ kind: 'scale', to: 11 });
  });

  it('holds metric_stale for an old sample, or an unknown age when a maximum age is set', () => {
    const old = { metricSampledAtMs: T0 - 60_001, maxMetricAgeMs: 60_000 };
    expect(decide(scaleOut, 70, 10, undefined, old).decision).toMatchObject({
      reason: 'metric_stale',
    });
    expect(decide(scaleOut, 70, 10, undefined, { maxMetricAgeMs: 60_000 }).decision).toMatchObject({
      reason: 'metric_stale',
    });
    expect(
      decide(scaleOut, 70, 10, undefined, { maxMetricAgeMs: Number.NaN }).decision,
    ).toMatchObject({ reason: 'metric_stale' });
    const fresh = { metricSampledAtMs: T0 - 60_000, maxMetricAgeMs: 60_000 };
    expect(decide(scaleOut, 70, 10, undefined, fresh).decision).toMatchObject({ kind: 'scale' });
  });

  it('holds metric_invalid for a sample dated beyond the clock-skew allowance', () => {
    expect(
      decide(scaleOut, 70, 10, undefined, { metricSampledAtMs: T0 + 60_000 }).decision,
    ).toMatchObject({ reason: 'metric_invalid' });
  });

  it.each([Number.NaN, -1, 2.5, Number.POSITIVE_INFINITY])(
    'currentCapacity %s holds with capacity_invalid at minCapacity',
    (capacity) => {
      expect(decide(scaleOut, 70, capacity).decision).toEqual({
        kind: 'hold',
        replicas: 1,
        reason: 'capacity_invalid',
      });
    },
  );

  it('treats malformed state (for example from a corrupt file) as the initial state', () => {
    const junk = { warming: { startedAtMs: 'x' }, lastScaleInAtMs: Number.NaN } as unknown;
    const { decision, state } = decide(scaleOut, 60, 10, junk as StepScalingState);
    expect(decision).toMatchObject({ kind: 'scale', to: 11 });
    expect(state.lastScaleInAtMs).toBeNull();
  });

  it('state survives a JSON round trip', () => {
    const first = decide(scaleOut, 60);
    const restored = JSON.parse(JSON.stringify(first.state)) as StepScalingState;
    const next = { currentCapacity: 11, metricValue: 70, nowMs: T0 + 1_000 };
    expect(stepScalingDecision(scaleOut, restored, next)).toEqual(
      stepScalingDecision(scaleOut, first.state, next),
    );
    expect(createStepScalingState()).toEqual({ warming: null, lastScaleInAtMs: null });
  });

  it('throws invalid_argument for a non-finite nowMs (misuse, not data)', () => {
    expect(() =>
      stepScalingDecision(scaleOut, undefined, {
        currentCapacity: 10,
        metricValue: 60,
        nowMs: Number.NaN,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument', path: ['nowMs'] }));
  });
});

describe('parseStepScalingConfig: AWS step adjustment rules', () => {
  const base = {
    adjustmentType: 'ChangeInCapacity',
    alarmThreshold: 50,
    comparison: 'GreaterThanOrEqualToThreshold',
    stepAdjustments: [
      { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
      { metricIntervalLowerBound: 10, scalingAdjustment: 2 },
    ],
    minCapacity: 1,
    maxCapacity: 10,
  } as const;

  it('fills defaults and freezes', () => {
    const config = parseStepScalingConfig(base);
    expect(config.estimatedInstanceWarmupMs).toBe(300_000);
    expect(config.cooldownMs).toBe(0);
    expect(config.allowNegativeMetric).toBe(false);
    expect(Object.isFrozen(config.stepAdjustments[0])).toBe(true);
  });

  it('rejects overlapping steps, naming the bound and the value', () => {
    const error = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
        { metricIntervalLowerBound: 5, scalingAdjustment: 2 },
      ],
    });
    expect(error.code).toBe('invalid_config');
    expect(error.path).toEqual(['stepAdjustments', 1, 'metricIntervalLowerBound']);
    expect(error.value).toBe(5);
    expect(error.limit).toBe('= stepAdjustments[0].metricIntervalUpperBound (10)');
    expect(error.message).toContain('overlaps');
  });

  it('rejects a gap', () => {
    const error = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
        { metricIntervalLowerBound: 12, scalingAdjustment: 2 },
      ],
    });
    expect(error.path).toEqual(['stepAdjustments', 1, 'metricIntervalLowerBound']);
    expect(error.value).toBe(12);
    expect(error.message).toContain('gap');
  });

  it('rejects steps out of ascending order', () => {
    const error = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalLowerBound: 10, scalingAdjustment: 2 },
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
      ],
    });
    expect(error.path).toEqual(['stepAdjustments', 0, 'metricIntervalUpperBound']);
  });

  it('rejects a second null lower bound and a step with no bounds', () => {
    expect(
      configError({
        ...base,
        comparison: 'LessThanThreshold',
        stepAdjustments: [
          { metricIntervalUpperBound: -10, scalingAdjustment: -2 },
          { metricIntervalUpperBound: 0, scalingAdjustment: -1 },
        ],
      }).path,
    ).toEqual(['stepAdjustments', 1, 'metricIntervalLowerBound']);
    expect(configError({ ...base, stepAdjustments: [{ scalingAdjustment: 1 }] }).path).toEqual([
      'stepAdjustments',
      0,
    ]);
  });

  it('rejects a lower bound not below its upper bound', () => {
    const error = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalLowerBound: 10, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
        { metricIntervalLowerBound: 10, scalingAdjustment: 2 },
      ],
    });
    expect(error.path).toEqual(['stepAdjustments', 0, 'metricIntervalUpperBound']);
    expect(error.limit).toBe('> metricIntervalLowerBound (10)');
  });

  it('requires a null upper bound on the last step when a bound is positive', () => {
    const error = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
      ],
    });
    expect(error.path).toEqual(['stepAdjustments', 0, 'metricIntervalUpperBound']);
    expect(error.limit).toBe('absent (+infinity) when any bound is positive');
  });

  it('requires a null lower bound on the first step when a bound is negative', () => {
    const error = configError({
      ...base,
      comparison: 'LessThanThreshold',
      stepAdjustments: [
        { metricIntervalLowerBound: -10, metricIntervalUpperBound: 0, scalingAdjustment: -1 },
      ],
    });
    expect(error.path).toEqual(['stepAdjustments', 0, 'metricIntervalLowerBound']);
  });

  it('rejects a bound on the wrong side of the threshold for the comparison', () => {
    const out = configError({
      ...base,
      stepAdjustments: [
        { metricIntervalUpperBound: -5, scalingAdjustment: 1 },
        { metricIntervalLowerBound: -5, scalingAdjustment: 2 },
      ],
    });
    expect(out.path).toEqual(['stepAdjustments', 0, 'metricIntervalUpperBound']);
    expect(out.limit).toBe('> 0 for GreaterThanOrEqualToThreshold');
    const inward = configError({
      ...base,
      comparison: 'LessThanOrEqualToThreshold',
      stepAdjustments: [
        { metricIntervalUpperBound: 5, scalingAdjustment: -1 },
        { metricIntervalLowerBound: 5, scalingAdjustment: -2 },
      ],
    });
    expect(inward.path).toEqual(['stepAdjustments', 0, 'metricIntervalUpperBound']);
    expect(inward.value).toBe(5);
  });

  it('rejects minAdjustmentMagnitude without PercentChangeInCapacity', () => {
    const error = configError({ ...base, minAdjustmentMagnitude: 2 });
    expect(error.path).toEqual(['minAdjustmentMagnitude']);
    expect(error.value).toBe(2);
  });

  it('rejects a negative ExactCapacity, maxCapacity below minCapacity, and field bounds', () => {
    expect(
      configError({
        ...base,
        adjustmentType: 'ExactCapacity',
        stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: -1 }],
      }).path,
    ).toEqual(['stepAdjustments', 0, 'scalingAdjustment']);
    const minMax = configError({ ...base, minCapacity: 5, maxCapacity: 4 });
    expect(minMax.path).toEqual(['maxCapacity']);
    expect(minMax.limit).toBe('>= minCapacity (5)');
    const fraction = configError({
      ...base,
      stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 1.5 }],
    });
    expect(fraction.path).toEqual(['stepAdjustments', 0, 'scalingAdjustment']);
    expect(fraction.value).toBe(1.5);
    const infinite = configError({ ...base, alarmThreshold: Number.POSITIVE_INFINITY });
    expect(infinite.path).toEqual(['alarmThreshold']);
    expect(configError({ ...base, estimatedInstanceWarmupMs: -1 }).limit).toBe('>= 0');
    expect(configError({ ...base, stepAdjustments: [] }).path).toEqual(['stepAdjustments']);
  });

  it('rejects an unknown adjustment type or comparison, listing the allowed ones', () => {
    const error = configError({ ...base, adjustmentType: 'PercentChange' });
    expect(error.path).toEqual(['adjustmentType']);
    expect(error.value).toBe('PercentChange');
    expect(error.limit).toBe('one of: ChangeInCapacity, ExactCapacity, PercentChangeInCapacity');
    expect(configError({ ...base, comparison: '>' }).path).toEqual(['comparison']);
  });

  it('rejects unknown keys, so a misspelt option is not silently ignored', () => {
    expect(configError({ ...base, cooldown: 300 }).limit).toBe('known keys only');
  });

  it('prefixes the path where the config sits', () => {
    const error = thrownError(() =>
      parseStepScalingConfig({ ...base, minCapacity: -1 }, ['policies', 2]),
    );
    expect(error).toMatchObject({ code: 'invalid_config', path: ['policies', 2, 'minCapacity'] });
  });

  it('stepScalingDecision validates raw input on first use', () => {
    expect(() =>
      stepScalingDecision({ ...base, maxCapacity: -1 }, undefined, {
        currentCapacity: 1,
        metricValue: 60,
        nowMs: T0,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config', path: ['maxCapacity'] }));
    expect(
      stepScalingDecision(base, undefined, { currentCapacity: 1, metricValue: 65, nowMs: T0 })
        .decision,
    ).toMatchObject({ kind: 'scale', to: 3 });
  });
});
