import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PANIC_MAX_REPLICAS,
  initialPanicState,
  panicStep,
  panicWindowMs,
  parsePanicConfig,
  type DemandSample,
  type PanicStepResult,
} from './index.js';

const RUNS = { numRuns: 1000 };

/** The type an arbitrary generates. */
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;
const T0 = 1_700_000_000_000;

const configArb = fc.record({
  stableWindowMs: fc.integer({ min: 6_000, max: 120_000 }),
  panicWindowPercentage: fc.double({ min: 1, max: 100, noNaN: true }),
  panicThresholdPercentage: fc.double({ min: 110, max: 1_000, noNaN: true }),
  targetPerReplica: fc.oneof(
    fc.double({ min: 0.5, max: 20, noNaN: true }),
    fc.double({ min: 0.1, max: 1_000, noNaN: true }),
  ),
});

/** A demand value: mostly sane, sometimes garbage that must be ignored, sometimes extreme. */
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 2_000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -5, Number.POSITIVE_INFINITY, -0) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e308, noNaN: true }) },
);

/** One controller tick: time since the previous, ready replicas, samples at offsets before now. */
const tickArb = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 150_000 })),
  readyReplicas: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 60 })),
  samples: fc.array(
    fc.record({
      // Recent samples (inside the panic window) as often as older ones.
      agoMs: fc.oneof(
        fc.integer({ min: -1_000, max: 8_000 }),
        fc.integer({ min: 0, max: 150_000 }),
      ),
      value: valueArb,
    }),
    { maxLength: 30 },
  ),
});

interface Trace {
  readonly steps: {
    readonly ready: number;
    readonly nowMs: number;
    readonly result: PanicStepResult;
  }[];
}

function run(config: Generated<typeof configArb>, ticks: Generated<typeof tickArb>[]): Trace {
  let state = initialPanicState();
  let nowMs = T0;
  const steps: Trace['steps'][number][] = [];
  for (const tick of ticks) {
    nowMs += tick.advanceMs;
    const observed: DemandSample[] = tick.samples.map((s) => ({
      atMs: nowMs - s.agoMs,
      value: s.value,
    }));
    const result = panicStep(config, state, { nowMs, readyReplicas: tick.readyReplicas, observed });
    steps.push({ ready: tick.readyReplicas, nowMs, result });
    state = result.state;
  }
  return { steps };
}

const traceArb = fc.record({
  config: configArb,
  ticks: fc.array(tickArb, { minLength: 1, maxLength: 25 }),
});

describe('panicStep properties', () => {
  it('never scales down while in panic: not below the ready count, nor below the previous panic step', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        const { steps } = run(config, ticks);
        steps.forEach((step, i) => {
          if (!step.result.inPanic) return;
          expect(step.result.desiredReplicas).toBeGreaterThanOrEqual(step.ready);
          const previous = steps[i - 1];
          if (previous?.result.inPanic === true) {
            expect(step.result.desiredReplicas).toBeGreaterThanOrEqual(
              previous.result.desiredReplicas,
            );
          }
        });
      }),
      RUNS,
    );
  });

  it('always proposes a finite integer >= 0, whatever the samples', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        for (const { result } of run(config, ticks).steps) {
          for (const n of [result.desiredReplicas, result.stableDesired, result.panicDesired]) {
            expect(Number.isInteger(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(0);
            expect(n).toBeLessThanOrEqual(PANIC_MAX_REPLICAS);
            expect(Object.is(n, -0)).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('enters panic only when the panic proposal reaches threshold × ready (ready counted as at least 1)', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        const { steps } = run(config, ticks);
        steps.forEach((step, i) => {
          const wasInPanic = steps[i - 1]?.result.inPanic ?? false;
          if (wasInPanic || !step.result.inPanic) return;
          expect(step.result.reason).toBe('panic_entered');
          const needed = (config.panicThresholdPercentage / 100) * Math.max(1, step.ready);
          expect(step.result.panicDesired).toBeGreaterThanOrEqual(needed * (1 - 1e-12));
          expect(step.result.panicDesired).toBeGreaterThanOrEqual(
            (config.panicThresholdPercentage / 100) * step.ready,
          );
        });
      }),
      RUNS,
    );
  });

  it('leaves panic only after a full stable window since the threshold was last reached', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        const { steps } = run(config, ticks);
        steps.forEach((step, i) => {
          const previous = steps[i - 1];
          if (previous === undefined || !previous.result.inPanic || step.result.inPanic) return;
          const lastTriggeredAtMs = previous.result.state.lastTriggeredAtMs;
          expect(lastTriggeredAtMs).not.toBeNull();
          expect(step.nowMs - (lastTriggeredAtMs ?? 0)).toBeGreaterThan(config.stableWindowMs);
          expect(step.result.reason).toBe('panic_exited');
          expect(step.result.desiredReplicas).toBe(step.result.stableDesired);
        });
      }),
      RUNS,
    );
  });

  it('outside panic proposes the stable window; its state is bounded plain JSON', () => {
    fc.assert(
      fc.property(traceArb, ({ config, ticks }) => {
        for (const { result } of run(config, ticks).steps) {
          if (!result.inPanic) expect(result.desiredReplicas).toBe(result.stableDesired);
          expect(Object.keys(result.state).sort()).toEqual([
            'lastTriggeredAtMs',
            'maxPanicReplicas',
            'panicSinceMs',
          ]);
          expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
        }
      }),
      RUNS,
    );
  });

  it('with a constant demand, proposes exactly ceil(demand / target) in both windows', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 200, max: 5_000 }),
        (config, demand, everyMs) => {
          const parsed = parsePanicConfig(config);
          const samples: DemandSample[] = [];
          for (let ago = parsed.stableWindowMs + everyMs; ago >= 0; ago -= everyMs) {
            samples.push({ atMs: T0 - ago, value: demand });
          }
          const result = panicStep(parsed, initialPanicState(), {
            nowMs: T0,
            readyReplicas: 1_000,
            observed: samples,
          });
          const ratio = demand / config.targetPerReplica;
          const expected = Math.max(0, Math.ceil(ratio - 1e-9 * Math.max(1, ratio)));
          expect(result.stableDesired).toBe(expected);
          if (panicWindowMs(parsed) >= everyMs) expect(result.panicDesired).toBe(expected);
        },
      ),
      RUNS,
    );
  });
});
