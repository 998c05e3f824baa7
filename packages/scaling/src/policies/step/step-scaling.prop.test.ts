import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseStepScalingConfig,
  stepScalingDecision,
  type StepAdjustmentType,
  type StepScalingConfig,
  type StepScalingDecision,
  type StepScalingState,
} from './index.js';

const RUNS = { numRuns: 1000 };

/**
 * Contiguous steps in ascending order over cut points relative to the threshold, valid for the
 * policy's side of the threshold: for scale-out, [p0, p1), ..., [pn, +∞) (or (−∞, p1) first);
 * for scale-in, the mirror image. Adjustments are assigned in the final (ascending) order, so a
 * sorted list makes a monotone policy.
 */
function stepsArb(
  scaleOut: boolean,
  adjustments: fc.Arbitrary<number[]>,
): fc.Arbitrary<
  {
    metricIntervalLowerBound?: number;
    metricIntervalUpperBound?: number;
    scalingAdjustment: number;
  }[]
> {
  return fc
    .record({
      points: fc.uniqueArray(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 5 }),
      openFirst: fc.boolean(),
      adjustments,
    })
    .map(({ points, openFirst, adjustments: adj }) => {
      const sorted = [...points].sort((a, b) => a - b);
      // An open first range needs a positive first cut: (−∞, 0) could never match a scale-out.
      const open = openFirst && (sorted[0] ?? 0) > 0;
      let ranges: { lower?: number; upper?: number }[] = [];
      if (open) ranges.push({ upper: sorted[0] as number });
      sorted.forEach((p, i) => {
        const next = sorted[i + 1];
        ranges.push(next === undefined ? { lower: p } : { lower: p, upper: next });
      });
      if (!scaleOut) {
        // Mirror: [a, b) above the threshold becomes (−b, −a] below it.
        ranges = ranges
          .map((r) => ({
            ...(r.upper === undefined ? {} : { lower: -r.upper }),
            ...(r.lower === undefined ? {} : { upper: r.lower === 0 ? 0 : -r.lower }),
          }))
          .reverse();
      }
      return ranges.map((r, i) => ({
        ...(r.lower === undefined ? {} : { metricIntervalLowerBound: r.lower }),
        ...(r.upper === undefined ? {} : { metricIntervalUpperBound: r.upper }),
        scalingAdjustment: adj[i % adj.length] ?? 0,
      }));
    });
}

const sortedAdjustments = (min: number, max: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.integer({ min, max }), { minLength: 6, maxLength: 6 })
    .map((a) => [...a].sort((x, y) => x - y));

const anyAdjustments = fc.array(fc.integer({ min: -1_000, max: 1_000 }), {
  minLength: 6,
  maxLength: 6,
});

const capacityBounds = fc
  .record({ min: fc.integer({ min: 0, max: 100 }), span: fc.integer({ min: 0, max: 1_000 }) })
  .map(({ min, span }) => ({ minCapacity: min, maxCapacity: min + span }));

const threshold = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }),
);

/** Any valid config: either side, any adjustment type. */
const anyConfig: fc.Arbitrary<StepScalingConfig> = fc
  .record({
    scaleOut: fc.boolean(),
    type: fc.constantFrom<StepAdjustmentType>(
      'ChangeInCapacity',
      'ExactCapacity',
      'PercentChangeInCapacity',
    ),
    inclusive: fc.boolean(),
    alarmThreshold: threshold,
    bounds: capacityBounds,
    magnitude: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    estimatedInstanceWarmupMs: fc.integer({ min: 0, max: 600_000 }),
    cooldownMs: fc.integer({ min: 0, max: 600_000 }),
    allowNegativeMetric: fc.boolean(),
    seed: fc.nat(),
  })
  .chain((c) =>
    stepsArb(
      c.scaleOut,
      c.type === 'ExactCapacity'
        ? fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 6, maxLength: 6 })
        : anyAdjustments,
    ).map((stepAdjustments) =>
      parseStepScalingConfig({
        adjustmentType: c.type,
        stepAdjustments,
        alarmThreshold: c.alarmThreshold,
        comparison: c.scaleOut
          ? c.inclusive
            ? 'GreaterThanOrEqualToThreshold'
            : 'GreaterThanThreshold'
          : c.inclusive
            ? 'LessThanOrEqualToThreshold'
            : 'LessThanThreshold',
        ...(c.type === 'PercentChangeInCapacity' && c.magnitude !== undefined
          ? { minAdjustmentMagnitude: c.magnitude }
          : {}),
        ...c.bounds,
        estimatedInstanceWarmupMs: c.estimatedInstanceWarmupMs,
        cooldownMs: c.cooldownMs,
        allowNegativeMetric: c.allowNegativeMetric,
      }),
    ),
  );

/** Every kind of number, including NaN, ±Infinity, −0, huge and tiny values. */
const wildNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    1e300,
  ),
);

const capacity = fc.oneof(fc.integer({ min: 0, max: 2_000 }), wildNumber);

function metricNear(config: StepScalingConfig): fc.Arbitrary<number | undefined> {
  return fc.oneof(
    fc.double({ min: -2_000, max: 2_000, noNaN: true }).map((d) => config.alarmThreshold + d),
    wildNumber,
    fc.constant(undefined),
  );
}

const state: fc.Arbitrary<StepScalingState | undefined> = fc.option(
  fc.record({
    warming: fc.option(
      fc.record({
        startedAtMs: fc.integer({ min: 0, max: 2_000_000 }),
        fromReplicas: fc.integer({ min: 0, max: 2_000 }),
        toReplicas: fc.integer({ min: 0, max: 2_000 }),
      }),
      { nil: null },
    ),
    lastScaleInAtMs: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: null }),
  }),
  { nil: undefined },
);

function replicasOf(decision: StepScalingDecision): number {
  return decision.kind === 'scale' ? decision.to : decision.replicas;
}

function clampTo(config: StepScalingConfig, replicas: number): number {
  return Math.min(config.maxCapacity, Math.max(config.minCapacity, replicas));
}

describe('stepScalingDecision properties', () => {
  it('always yields an integer within [minCapacity, maxCapacity], for any input, and never throws', () => {
    fc.assert(
      fc.property(
        anyConfig.chain((config) =>
          fc.tuple(
            fc.constant(config),
            state,
            capacity,
            metricNear(config),
            fc.integer({ min: 0, max: 2_000_000 }),
            fc.option(wildNumber, { nil: undefined }),
            fc.option(wildNumber, { nil: undefined }),
          ),
        ),
        ([config, prior, currentCapacity, metricValue, nowMs, sampledAt, maxAge]) => {
          const { decision, state: next } = stepScalingDecision(config, prior, {
            currentCapacity,
            metricValue,
            nowMs,
            ...(sampledAt === undefined ? {} : { metricSampledAtMs: sampledAt }),
            ...(maxAge === undefined ? {} : { maxMetricAgeMs: maxAge }),
          });
          const replicas = replicasOf(decision);
          expect(Number.isInteger(replicas)).toBe(true);
          expect(replicas).toBeGreaterThanOrEqual(config.minCapacity);
          expect(replicas).toBeLessThanOrEqual(config.maxCapacity);
          if (decision.kind === 'scale') {
            expect(decision.adjustment).toBe(decision.to - decision.from);
            expect(decision.adjustment).not.toBe(0);
          }
          // The state is plain data that survives JSON.
          expect(JSON.parse(JSON.stringify(next))).toEqual(next);
        },
      ),
      RUNS,
    );
  });

  it('never yields a smaller scale-out for a higher breach (scale-out policy, non-decreasing steps)', () => {
    const monotoneOut = fc
      .record({
        type: fc.constantFrom<StepAdjustmentType>('ChangeInCapacity', 'PercentChangeInCapacity'),
        inclusive: fc.boolean(),
        alarmThreshold: threshold,
        bounds: capacityBounds,
        magnitude: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
      })
      .chain((c) =>
        stepsArb(true, sortedAdjustments(0, 500)).map((stepAdjustments) =>
          parseStepScalingConfig({
            adjustmentType: c.type,
            stepAdjustments,
            alarmThreshold: c.alarmThreshold,
            comparison: c.inclusive ? 'GreaterThanOrEqualToThreshold' : 'GreaterThanThreshold',
            ...(c.type === 'PercentChangeInCapacity' && c.magnitude !== undefined
              ? { minAdjustmentMagnitude: c.magnitude }
              : {}),
            ...c.bounds,
            allowNegativeMetric: true,
          }),
        ),
      );
    fc.assert(
      fc.property(
        monotoneOut,
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: -100, max: 2_000, noNaN: true }),
        fc.double({ min: 0, max: 2_000, noNaN: true }),
        (config, currentCapacity, offset, extra) => {
          const lower = config.alarmThreshold + offset;
          const higher = lower + extra;
          const out = (metricValue: number): number => {
            const { decision } = stepScalingDecision(config, undefined, {
              currentCapacity,
              metricValue,
              nowMs: 0,
            });
            return decision.kind === 'scale' ? decision.adjustment : 0;
          };
          const a = out(lower);
          const b = out(higher);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeGreaterThanOrEqual(a);
        },
      ),
      RUNS,
    );
  });

  it('never yields a smaller scale-in for a deeper breach (scale-in policy, non-increasing steps)', () => {
    const monotoneIn = fc
      .record({ alarmThreshold: threshold, bounds: capacityBounds, inclusive: fc.boolean() })
      .chain((c) =>
        // Ascending adjustments put the most negative one on the deepest (first) range.
        stepsArb(false, sortedAdjustments(-500, 0)).map((stepAdjustments) =>
          parseStepScalingConfig({
            adjustmentType: 'ChangeInCapacity',
            stepAdjustments,
            alarmThreshold: c.alarmThreshold,
            comparison: c.inclusive ? 'LessThanOrEqualToThreshold' : 'LessThanThreshold',
            ...c.bounds,
            allowNegativeMetric: true,
          }),
        ),
      );
    fc.assert(
      fc.property(
        monotoneIn,
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: -2_000, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 2_000, noNaN: true }),
        (config, currentCapacity, offset, extra) => {
          const shallow = config.alarmThreshold + offset;
          const deeper = shallow - extra;
          const change = (metricValue: number): number => {
            const { decision } = stepScalingDecision(config, undefined, {
              currentCapacity,
              metricValue,
              nowMs: 0,
            });
            return decision.kind === 'scale' ? decision.adjustment : 0;
          };
          const a = change(shallow);
          const b = change(deeper);
          expect(a).toBeLessThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(a);
        },
      ),
      RUNS,
    );
  });

  it('ExactCapacity always lands on the clamped adjustment when a step matches', () => {
    const exact = fc
      .record({ scaleOut: fc.boolean(), alarmThreshold: threshold, bounds: capacityBounds })
      .chain((c) =>
        stepsArb(
          c.scaleOut,
          fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 6, maxLength: 6 }),
        ).map((stepAdjustments) =>
          parseStepScalingConfig({
            adjustmentType: 'ExactCapacity',
            stepAdjustments,
            alarmThreshold: c.alarmThreshold,
            comparison: c.scaleOut ? 'GreaterThanOrEqualToThreshold' : 'LessThanOrEqualToThreshold',
            ...c.bounds,
            allowNegativeMetric: true,
          }),
        ),
      );
    fc.assert(
      fc.property(
        exact,
        fc.integer({ min: 0, max: 3_000 }),
        fc.double({ min: 0, max: 2_000, noNaN: true }),
        (config, currentCapacity, depth) => {
          const scaleOut = config.comparison === 'GreaterThanOrEqualToThreshold';
          const metricValue = config.alarmThreshold + (scaleOut ? depth : -depth);
          const { decision } = stepScalingDecision(config, undefined, {
            currentCapacity,
            metricValue,
            nowMs: 0,
          });
          fc.pre(decision.kind === 'scale' || decision.reason !== 'no_matching_step');
          const stepIndex = decision.stepIndex;
          expect(stepIndex).toBeDefined();
          const step = config.stepAdjustments[stepIndex as number];
          expect(replicasOf(decision)).toBe(clampTo(config, step?.scalingAdjustment as number));
        },
      ),
      RUNS,
    );
  });
});
