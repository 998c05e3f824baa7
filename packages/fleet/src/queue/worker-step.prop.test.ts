import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  queueWorkerStep,
  type QueueWorkerConfigInput,
  type QueueWorkerInput,
  type QueueWorkerState,
} from './index.js';

const RUNS = { numRuns: 1000 };
const T0 = 1_700_000_000_000;

const anyNumber = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 10_000, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 50 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1,
      0,
      Number.MAX_VALUE,
    ),
  },
);

const configArb: fc.Arbitrary<QueueWorkerConfigInput> = fc
  .record({
    targetDrainSeconds: fc.double({ min: 0.5, max: 3_600, noNaN: true }),
    minWorkers: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })),
    extra: fc.integer({ min: 0, max: 50 }),
    activationThreshold: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true })),
    cooldownMs: fc.integer({ min: 0, max: 600_000 }),
    fallback: fc.option(fc.double({ min: 0.01, max: 50, noNaN: true }), { nil: undefined }),
  })
  .map(({ extra, fallback, ...c }) => ({
    ...c,
    maxWorkers: Math.max(1, c.minWorkers + extra),
    ...(fallback === undefined ? {} : { fallbackThroughputPerWorkerPerS: fallback }),
  }));

const stateArb: fc.Arbitrary<QueueWorkerState> = fc.record({
  scaleToZero: fc.record({
    lastActiveAtMs: fc.option(fc.integer({ min: T0 - 1_000_000, max: T0 }), { nil: null }),
  }),
});

const inputArb: fc.Arbitrary<QueueWorkerInput> = fc.record({
  nowMs: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: T0, max: T0 + 1_000_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY) },
  ),
  backlog: anyNumber,
  arrivalRatePerS: anyNumber,
  throughputPerWorkerPerS: anyNumber,
  currentWorkers: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 80 }) },
    { weight: 2, arbitrary: fc.constantFrom(Number.NaN, -1, 2.5, Number.POSITIVE_INFINITY) },
  ),
});

const validInputArb: fc.Arbitrary<QueueWorkerInput> = fc.record({
  nowMs: fc.integer({ min: T0, max: T0 + 1_000_000 }),
  backlog: fc.oneof(
    fc.integer({ min: 0, max: 5_000 }),
    fc.double({ min: 0, max: 1e6, noNaN: true }),
  ),
  arrivalRatePerS: fc.double({ min: 0, max: 500, noNaN: true }),
  throughputPerWorkerPerS: fc.double({ min: 0.001, max: 100, noNaN: true }),
  currentWorkers: fc.integer({ min: 0, max: 80 }),
});

const FORMULA = new Set(['backlog', 'clamped_min', 'activate', 'cooling_down']);

describe('queueWorkerStep properties', () => {
  it('always returns a finite integer within [minWorkers, maxWorkers], or 0 only by scale to zero', () => {
    fc.assert(
      fc.property(configArb, stateArb, inputArb, (config, state, input) => {
        const d = queueWorkerStep(config, state, input);
        expect(Number.isInteger(d.desiredWorkers)).toBe(true);
        expect(d.desiredWorkers).toBeLessThanOrEqual(config.maxWorkers);
        const min = config.minWorkers ?? 0;
        expect(d.desiredWorkers).toBeGreaterThanOrEqual(min);
        if (d.desiredWorkers === 0) {
          expect(min).toBe(0);
          // Zero only by the scale-to-zero rules, or by holding a pool that is already at zero.
          const heldAtZero =
            input.currentWorkers === 0 && !['activate', 'workers_invalid'].includes(d.reason);
          expect(d.reason === 'scale_to_zero' || d.reason === 'idle_at_zero' || heldAtZero).toBe(
            true,
          );
        }
        expect(JSON.parse(JSON.stringify(d.state))).toEqual(d.state);
      }),
      RUNS,
    );
  });

  it('is monotone in the backlog', () => {
    fc.assert(
      fc.property(
        configArb,
        stateArb,
        inputArb,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (config, state, input, x, y) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const a = queueWorkerStep(config, state, { ...input, backlog: lo });
          const b = queueWorkerStep(config, state, { ...input, backlog: hi });
          expect(a.desiredWorkers).toBeLessThanOrEqual(b.desiredWorkers);
        },
      ),
      RUNS,
    );
  });

  it('meets the drain target with the desired workers whenever desired < maxWorkers', () => {
    fc.assert(
      fc.property(configArb, stateArb, validInputArb, (config, state, input) => {
        const d = queueWorkerStep(config, state, input);
        if (d.desiredWorkers >= config.maxWorkers || !FORMULA.has(d.reason)) return;
        const throughput = input.throughputPerWorkerPerS ?? 1;
        const arrival = input.arrivalRatePerS ?? 0;
        if (input.backlog === 0) return;
        const net = d.desiredWorkers * throughput - arrival;
        expect(net).toBeGreaterThan(0);
        const drainSeconds = input.backlog / net;
        expect(drainSeconds).toBeLessThanOrEqual(config.targetDrainSeconds * (1 + 1e-9));
        expect(d.explain.predictedDrainSeconds).toBeCloseTo(drainSeconds, 6);
      }),
      RUNS,
    );
  });

  it('only leaves the formula (or zero) with a documented reason, and never scales to zero on bad data', () => {
    fc.assert(
      fc.property(configArb, stateArb, inputArb, (config, state, input) => {
        const d = queueWorkerStep(config, state, input);
        const backlogOk = Number.isFinite(input.backlog) && input.backlog >= 0;
        if (!backlogOk || !Number.isFinite(input.nowMs)) {
          expect(d.reason).not.toBe('scale_to_zero');
          expect(d.reason).not.toBe('activate');
        }
        expect(d.detail.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
